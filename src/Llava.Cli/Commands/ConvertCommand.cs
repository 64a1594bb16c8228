using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Llava.Cli.Running;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Graphs;
using Llava.ModelBuilder.Onnx;
using Llava.ModelFormat;

namespace Llava.Cli.Commands;

/// <summary><c>llava convert &lt;checkpoint-dir&gt; &lt;out-dir&gt; [--precision fp32|fp16|int4] [--provider cpu|cuda]</c>.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        Argument<DirectoryInfo> checkpoint = new("checkpoint-dir") { Description = "A llava-hf checkpoint folder (config.json, *.safetensors, tokenizer files)." };
        Argument<DirectoryInfo> output = new("out-dir") { Description = "Where to write the model folder (must not exist or be empty, unless --force)." };
        Option<ModelPrecision> precision = new("--precision", "-p") { Description = "Weights: fp32 (reference), fp16, or int4 (4-bit decoder linears).", DefaultValueFactory = _ => ModelPrecision.Fp32 };
        Option<int> blockSize = new("--block-size") { Description = "Block size of int4 weights (power of two, >= 16).", DefaultValueFactory = _ => 32 };
        Option<string> provider = new("--provider") { Description = "Execution provider the folder is built for, and the only one it runs on: cpu or cuda (fp16 or int4 only).", DefaultValueFactory = _ => ExecutionProviderName.Cpu };
        provider.AcceptOnlyFromAmong([.. ExecutionProviderName.All]);
        Option<Int4Scheme> scheme = new("--int4-scheme") { Description = "int4 only: symmetric (a scale per block, zero point 8) or asymmetric (a scale and a zero point per block).", DefaultValueFactory = _ => ConversionOptions.DefaultInt4Scheme };
        Option<bool> keepLmHead = new("--keep-lm-head") { Description = "int4 only: keep the LM head in the activation type instead of quantizing it." };
        Option<bool> force = new("--force") { Description = "Replace an existing output folder." };
        Option<bool> json = new("--json") { Description = "Print the manifest as JSON on stdout." };

        Command command = new("convert", "Convert a llava-hf checkpoint into an ONNX model folder the runtime serves.")
        {
            checkpoint, output, precision, provider, blockSize, scheme, keepLmHead, force, json,
        };
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            Stopwatch clock = Stopwatch.StartNew();
            string target = parse.GetValue(output)!.FullName;
            ModelManifest manifest = await ConversionRunner.ConvertAsync(
                context,
                parse.GetValue(checkpoint)!.FullName,
                target,
                new ConversionOptions { Precision = parse.GetValue(precision), ExecutionProvider = parse.GetValue(provider)!, Int4BlockSize = parse.GetValue(blockSize), Int4Scheme = parse.GetValue(scheme), QuantizeLmHead = !parse.GetValue(keepLmHead), Overwrite = parse.GetValue(force) },
                cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(manifest.ToJson());
            }
            else
            {
                long bytes = manifest.Files.Sum(f => f.Bytes);
                using Process self = Process.GetCurrentProcess();
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Converted {manifest.SourceCheckpoint} ({manifest.Variant}, {manifest.Precision}, {manifest.ExecutionProvider}) to {target}: {manifest.Files.Count} files, {bytes / 1048576.0:F1} MiB, {clock.Elapsed.TotalSeconds:F1} s, peak memory {self.PeakWorkingSet64 / 1048576.0:F0} MiB."));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
