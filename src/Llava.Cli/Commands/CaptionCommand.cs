using System.CommandLine;
using Llava.Cli.Running;
using Llava.Inference.Engine;
using Llava.Inference.Generation;

namespace Llava.Cli.Commands;

/// <summary><c>llava caption &lt;images...&gt;</c>: one caption per image, streamed as it is generated.</summary>
internal static class CaptionCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string[]> images = new("images") { Description = "Image files (JPEG, PNG, WebP, BMP, GIF).", Arity = ArgumentArity.OneOrMore };
        Option<string> prompt = new("--prompt") { Description = "The instruction sent with each image.", DefaultValueFactory = _ => ImageCaptioner.DefaultPrompt };
        ModelArguments model = new();
        GenerationArguments generation = new(defaultMaxTokens: 256);
        Command command = new("caption", "Caption images with a converted LLaVA model, streaming each caption to stdout.") { images, prompt };
        model.AddTo(command);
        generation.AddTo(command);
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            string modelPath = model.RequirePath(parse, context);
            GenerationOptions options = generation.Options(parse);
            using LlavaEngine engine = await EngineLoader.LoadAsync(modelPath, model.Settings(parse), context, cancellationToken);
            return await ImageCaptioner.RunAsync(engine, parse.GetValue(images)!, parse.GetValue(prompt)!, options, generation.Writer(parse, context), cancellationToken);
        });
        return command;
    }
}
