using System.CommandLine;
using Llava.Cli.Running;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;


namespace Llava.Cli.Commands;

/// <summary><c>llava ask &lt;image&gt; "&lt;question&gt;"</c>: one answer, streamed as it is generated.</summary>
internal static class AskCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> image = new("image") { Description = "Image file (JPEG, PNG, WebP, BMP, GIF)." };
        Argument<string> question = new("question") { Description = "What to ask about the image." };
        ModelArguments model = new();
        GenerationArguments generation = new(defaultMaxTokens: 256);
        Command command = new("ask", "Ask a question about an image, streaming the answer to stdout.") { image, question };
        model.AddTo(command);
        generation.AddTo(command);
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            string text = parse.GetValue(question)!;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliException(ExitCodes.InvalidInput, "the question is empty.");
            }

            string modelPath = model.RequirePath(parse, context);
            GenerationOptions options = generation.Options(parse);
            using LlavaEngine engine = await EngineLoader.LoadAsync(modelPath, model.Settings(parse), context, cancellationToken);
            ApiError? refused = await ImageCaptioner.AnswerOneAsync(engine, parse.GetValue(image)!, text, options, generation.Writer(parse, context), prefix: false, cancellationToken);
            return refused is null ? ExitCodes.Success : ExitCodes.For(refused);
        });
        return command;
    }
}
