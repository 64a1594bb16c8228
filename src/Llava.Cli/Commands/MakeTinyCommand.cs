using System.CommandLine;
using Llava.Cli.Running;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;
using Llava.ModelFormat;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava make-tiny &lt;family&gt; &lt;out-dir&gt;</c>: a deterministic random checkpoint in the llava-hf layout,
/// optionally converted straight into a model folder with the real builder.
/// </summary>
internal static class MakeTinyCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> family = new("family")
        {
            Description = $"One of: {string.Join(", ", TinyFamily.All.Select(f => f.Name))}.",
        };
        family.AcceptOnlyFromAmong([.. TinyFamily.All.Select(f => f.Name)]);
        Argument<DirectoryInfo> output = new("out-dir") { Description = "Where to write the checkpoint (llava-hf layout)." };
        Option<bool> midSize = new("--mid-size") { Description = "Hundreds of millions of parameters in real LLaVA proportions (for benchmarks) instead of tiny." };
        Option<DirectoryInfo?> model = new("--model") { Description = "Also convert the checkpoint into a model folder here." };
        Option<ModelPrecision> precision = new("--precision", "-p") { Description = "Precision of the converted model (with --model).", DefaultValueFactory = _ => ModelPrecision.Fp32 };

        Command command = new("make-tiny", "Write a small random-weight checkpoint of a LLaVA family (meaningless output; for tests and demos).")
        {
            family, output, midSize, model, precision,
        };
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            TinyFamily chosen = TinyFamily.FromName(parse.GetValue(family)!);
            string checkpoint = parse.GetValue(output)!.FullName;
            TinyCheckpointOptions options = new() { Size = parse.GetValue(midSize) ? TinyModelSize.MidSize : TinyModelSize.Tiny };
            IReadOnlyList<string> files;
            try
            {
                files = await Task.Run(() => TinyCheckpointGenerator.Write(chosen, checkpoint, options), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.InvalidInput, $"cannot write the checkpoint to {checkpoint}: {ex.Message}", ex);
            }

            await context.Out.WriteLineAsync($"Wrote {chosen.Name} checkpoint (random weights) to {checkpoint}: {files.Count} files.");
            if (parse.GetValue(model) is { } modelDir)
            {
                ModelManifest manifest = await ConversionRunner.ConvertAsync(
                    context,
                    checkpoint,
                    modelDir.FullName,
                    new ConversionOptions { Precision = parse.GetValue(precision), Overwrite = true, SourceName = $"{chosen.Name} (tiny, random weights)" },
                    cancellationToken);
                await context.Out.WriteLineAsync($"Converted to {modelDir.FullName} ({manifest.Variant}, {manifest.Precision}).");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
