using System.CommandLine;
using Llava.Cli.Demo;
using Llava.Cli.Running;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;
using Llava.ModelFormat;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava demo [images...]</c>: captions the sample photographs shipped with the tool (or the given images)
/// end to end through the real pipeline. With a model (<c>--model</c> or <c>$LLAVA_MODEL_PATH</c>) the
/// captions are real; without one it builds a tiny random-weight model into the cache folder and says loudly,
/// on stderr, that its captions are meaningless.
/// </summary>
/// <remarks>
/// This is a command of its own rather than a fallback of <c>llava caption</c> so that a script that forgot
/// its model gets exit code 3 from <c>caption</c>, never exit code 0 and random text.
/// </remarks>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string[]> images = new("images") { Description = "Images to caption (default: the samples shipped with llava).", Arity = ArgumentArity.ZeroOrMore };
        Option<string> family = new("--family")
        {
            Description = $"Family of the random demo model when no model is configured: {string.Join(", ", TinyFamily.All.Select(f => f.Name))}.",
            DefaultValueFactory = _ => ModelVariant.NextMistral,
        };
        family.AcceptOnlyFromAmong([.. TinyFamily.All.Select(f => f.Name)]);
        Option<string> prompt = new("--prompt") { Description = "The instruction sent with each image.", DefaultValueFactory = _ => ImageCaptioner.DefaultPrompt };
        ModelArguments model = new();
        GenerationArguments generation = new(defaultMaxTokens: 24);
        Command command = new("demo", "Caption the sample images end to end; without a model, on a tiny random-weight model built on the spot.") { images, family, prompt };
        model.AddTo(command);
        generation.AddTo(command);
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            GenerationOptions options = generation.Options(parse);
            string[] chosen = parse.GetValue(images) is { Length: > 0 } given ? given : Samples(context);
            string? modelPath = model.ResolvePath(parse, context);
            bool random = modelPath is null;
            if (modelPath is null)
            {
                TinyFamily demoFamily = TinyFamily.FromName(parse.GetValue(family)!);
                await context.Error.WriteLineAsync(
                    $"""
                    *** DEMO MODEL: RANDOM WEIGHTS. Its captions are meaningless text. ***
                    No model is configured (--model or ${ModelArguments.ModelPathVariable}), so this runs a tiny {demoFamily.Name} model with random
                    weights through the real pipeline: image decoding and {(demoFamily.Architecture == LlavaArchitecture.LlavaNext ? "anyres tiling" : "CLIP preprocessing")}, the prompt template, and ONNX Runtime GenAI
                    (vision, embedding and decoder graphs). For real captions:
                      llava download llava-hf/llava-v1.6-mistral-7b-hf ./ckpt && llava convert ./ckpt ./model -p int4 && llava demo --model ./model
                    """);
                modelPath = await RandomModels.ModelAsync(context, demoFamily, midSize: false, ModelPrecision.Fp32, cancellationToken);
            }

            using LlavaEngine engine = await EngineLoader.LoadAsync(modelPath, model.Settings(parse), context, cancellationToken);
            return await ImageCaptioner.RunAsync(engine, chosen, parse.GetValue(prompt)!, options, generation.Writer(parse, context, random), cancellationToken);
        });
        return command;
    }

    private static string[] Samples(CliContext context)
    {
        string[] samples = Directory.Exists(context.SamplesDirectory)
            ? [.. Directory.EnumerateFiles(context.SamplesDirectory, "*.jpg").Order(StringComparer.Ordinal)]
            : [];
        return samples.Length > 0
            ? samples
            : throw new CliException(ExitCodes.Failure, $"no sample images in {context.SamplesDirectory}; the installation is incomplete. Pass image files instead.");
    }
}
