using System.CommandLine;
using Llava.Cli.Running;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava chat &lt;image&gt;</c>: a conversation about one image. Each line read from stdin is a user turn
/// (the image goes with the first); the whole history is sent each turn. <c>/reset</c> starts over,
/// <c>/exit</c> (or end of input) quits. Works with piped stdin, one question per line.
/// </summary>
internal static class ChatCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> image = new("image") { Description = "Image file (JPEG, PNG, WebP, BMP, GIF) the conversation is about." };
        Option<string?> system = new("--system") { Description = "A system prompt placed before the conversation." };
        ModelArguments model = new();
        GenerationArguments generation = new(defaultMaxTokens: 256);
        Command command = new("chat", "Talk about an image: one question per line on stdin; /reset starts over, /exit quits.") { image, system };
        model.AddTo(command);
        generation.AddTo(command);
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            string modelPath = model.RequirePath(parse, context);
            GenerationOptions options = generation.Options(parse);
            using LlavaEngine engine = await EngineLoader.LoadAsync(modelPath, model.Settings(parse), context, cancellationToken);
            string imagePath = parse.GetValue(image)!;
            byte[] bytes;
            try
            {
                bytes = await ImageCaptioner.ReadImageAsync(imagePath, engine.Options.MaxImageBytes, cancellationToken);
            }
            catch (Exception ex) when (ImageFileErrors.IsReadFailure(ex))
            {
                throw new CliException(ExitCodes.For(ImageFileErrors.Map(ex)), $"{imagePath}: {ImageFileErrors.Map(ex).Detail}", ex);
            }

            return await ConverseAsync(engine, bytes, imagePath, parse.GetValue(system), options, generation.Writer(parse, context), context, cancellationToken);
        });
        return command;
    }

    private static async Task<int> ConverseAsync(
        LlavaEngine engine,
        byte[] image,
        string imagePath,
        string? system,
        GenerationOptions options,
        AnswerWriter writer,
        CliContext context,
        CancellationToken cancellationToken)
    {
        List<PromptMessage> history = [];
        if (context.IsInputInteractive)
        {
            await context.Error.WriteLineAsync($"Chatting about {imagePath} with {engine.Manifest.Variant}. /reset starts over, /exit quits.");
        }

        while (true)
        {
            if (context.IsInputInteractive)
            {
                await context.Error.WriteAsync("> ");
            }

            string? line = await context.In.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                break;
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line is "/exit" or "/quit")
            {
                break;
            }

            if (line == "/reset")
            {
                history.Clear();
                await context.Error.WriteLineAsync("(conversation reset)");
                continue;
            }

            // The image goes with the first user turn, as LLaVA was trained.
            bool first = !history.Any(m => m.Role == PromptRole.User);
            PromptMessage turn = first ? PromptMessage.User(image, line) : PromptMessage.User(line);
            List<PromptMessage> messages = [];
            if (system is not null)
            {
                messages.Add(PromptMessage.System(system));
            }

            messages.AddRange(history);
            messages.Add(turn);
            try
            {
                GenerationResult result = await writer.WriteAsync(engine, messages, options, writer.Json ? imagePath : null, prefix: false, cancellationToken);
                history.Add(turn);
                history.Add(PromptMessage.Assistant(result.Text.Trim()));
            }
            catch (ImageRejectedException ex)
            {
                // The conversation's one image cannot be used: nothing more can be asked.
                throw new CliException(ExitCodes.For(ApiErrorMapper.Map(ex)), $"{imagePath}: {ex.Message}", ex);
            }
            catch (Exception ex) when (ImageFileErrors.IsRefusal(ex))
            {
                // This turn is refused (the catalogue's code); the conversation goes on.
                ApiError refused = ApiErrorMapper.Map(ex);
                string hint = refused.Code is ApiErrorCodes.PromptTooLong or ApiErrorCodes.TooManyImages or ApiErrorCodes.RequestOverBudget ? " Type /reset to start over." : "";
                await writer.WriteErrorAsync(null, refused with { Detail = refused.Detail + hint });
            }
        }

        return ExitCodes.Success;
    }
}
