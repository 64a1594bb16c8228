using System.CommandLine;
using System.Globalization;
using Llava.Benchmarking;
using Llava.Cli.Bench;
using Llava.Cli.Demo;
using Llava.Cli.Running;
using Llava.Inference;
using Llava.Inference.Loading;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;
using Llava.ModelFormat;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava bench</c>: a quick, human-readable benchmark. By default on random-weight models built on demand
/// (tiny and mid-size, LLaVA-1.5 with a 336 px image and LLaVA-NeXT with a 1024 x 768 one): preprocessing, time
/// to first token, decode tokens/s, peak working set, and the engine against raw ONNX Runtime on the same
/// graphs and inputs in the same process; then <c>llava convert</c> per precision on the mid-size checkpoint.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] s_families = [ModelVariant.Llava15, ModelVariant.NextMistral];
    private static readonly bool[] s_tinyOnly = [false];
    private static readonly bool[] s_bothSizes = [false, true];

    public static Command Create(CliContext context)
    {
        Option<DirectoryInfo[]> models = new("--model", "-m")
        {
            Description = "Benchmark these model folders instead of the random ones (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        Option<int> tokens = new("--tokens") { Description = "Tokens to generate per run.", DefaultValueFactory = _ => 32 };
        Option<int> runs = new("--runs") { Description = "Measured runs per model (medians are reported), after one warm-up.", DefaultValueFactory = _ => 3 };
        Option<bool> tinyOnly = new("--tiny-only") { Description = "Only the tiny random models (seconds instead of minutes)." };
        Option<bool> skipConvert = new("--skip-convert") { Description = "Skip the conversion benchmark." };
        Option<bool> concurrency = new("--concurrency") { Description = "Instead: throughput of `llava serve` with 1, 2, 4 and 8 OpenAI chat completions in flight (mid-size LLaVA-1.5 fp32 unless --model is given)." };
        Option<int> requests = new("--requests") { Description = "With --concurrency: requests sent at each level.", DefaultValueFactory = _ => 8 };
        Option<int?> maxBatch = new("--max-batch") { Description = "With --concurrency: the server's batch size (its default when not given)." };
        Option<int?> batchWindow = new("--batch-window-ms") { Description = "With --concurrency: the server's batching window in ms (its default when not given)." };
        requests.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 256)
            {
                r.AddError("--requests must be between 1 and 256.");
            }
        });
        tokens.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 2 or > 4096)
            {
                r.AddError("--tokens must be between 2 and 4096.");
            }
        });
        runs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100)
            {
                r.AddError("--runs must be between 1 and 100.");
            }
        });
        Command command = new("bench", "Measure preprocessing, time to first token, tokens/s, memory and the engine's overhead over raw ONNX Runtime; and conversion per precision.")
        {
            models, tokens, runs, tinyOnly, skipConvert, concurrency, requests, maxBatch, batchWindow,
        };
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            int n = parse.GetValue(tokens);
            int r = parse.GetValue(runs);
            if (parse.GetValue(concurrency))
            {
                return await RunConcurrencyAsync(context, parse.GetValue(models) ?? [], parse.GetValue(maxBatch), parse.GetValue(batchWindow), parse.GetValue(requests), n, cancellationToken);
            }

            await context.Out.WriteLineAsync($"llava bench on {MachineInfo.Describe()}");
            await context.Out.WriteLineAsync($"{n} greedy tokens per run, median of {r} runs after a warm-up; engine = LlavaEngine.GenerateAsync, raw = the same three ONNX graphs through InferenceSession with a KV-cache loop.");
            await context.Out.WriteLineAsync();

            List<ModelBenchResult> results = [];
            DirectoryInfo[] given = parse.GetValue(models) ?? [];
            if (given.Length > 0)
            {
                foreach (DirectoryInfo model in given)
                {
                    ModelFolder folder = await OpenAsync(model.FullName, cancellationToken);
                    results.Add(await MeasureAsync(context, model.Name, model.FullName, folder.Manifest, n, r, cancellationToken));
                }
            }
            else
            {
                foreach (bool mid in parse.GetValue(tinyOnly) ? s_tinyOnly : s_bothSizes)
                {
                    foreach (string name in s_families)
                    {
                        TinyFamily family = TinyFamily.FromName(name);
                        await context.Error.WriteLineAsync($"bench: {(mid ? "mid-size" : "tiny")} {name} (random weights; built on first use into {RandomModels.Folder(context, family, mid)})");
                        string path = await RandomModels.ModelAsync(context, family, mid, ModelPrecision.Fp32, cancellationToken);
                        ModelFolder folder = await OpenAsync(path, cancellationToken);
                        results.Add(await MeasureAsync(context, $"{(mid ? "mid-size" : "tiny")} {name} fp32", path, folder.Manifest, n, r, cancellationToken));
                    }
                }
            }

            await context.Out.WriteLineAsync(PerformanceTable(results));
            await context.Out.WriteLineAsync(OverheadTable(results));
            if (given.Length == 0 && !parse.GetValue(tinyOnly) && !parse.GetValue(skipConvert))
            {
                await context.Out.WriteLineAsync(await ConvertTableAsync(context, cancellationToken));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> RunConcurrencyAsync(CliContext context, DirectoryInfo[] given, int? maxBatch, int? batchWindowMs, int requests, int tokens, CancellationToken cancellationToken)
    {
        string path;
        string label;
        if (given.Length > 0)
        {
            path = given[0].FullName;
            label = given[0].Name;
            _ = await OpenAsync(path, cancellationToken);
        }
        else
        {
            TinyFamily family = TinyFamily.FromName(ModelVariant.Llava15);
            await context.Error.WriteLineAsync($"bench: mid-size {family.Name} (random weights; built on first use into {RandomModels.Folder(context, family, true)})");
            path = await RandomModels.ModelAsync(context, family, true, ModelPrecision.Fp32, cancellationToken);
            label = $"mid-size {family.Name} fp32";
        }

        LlavaEngineOptions options = new() { ModelPath = path, Verification = ChecksumVerification.SizeOnly, MaxBatchSize = maxBatch, MaxQueuedRequests = 256 };
        if (batchWindowMs is int window)
        {
            options = options with { BatchWindow = TimeSpan.FromMilliseconds(window) };
        }

        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new CliException(ExitCodes.InvalidInput, string.Join(" ", errors));
        }

        await context.Out.WriteLineAsync($"llava bench --concurrency on {MachineInfo.Describe()}");
        await context.Out.WriteLineAsync($"{label}, `llava serve` in this process (batch size {options.EffectiveMaxBatchSize}, window {options.BatchWindow.TotalMilliseconds:F0} ms), {requests} greedy OpenAI chat completions of {tokens} tokens on a 336x336 image, sent with 1, 2, 4 and 8 in flight.");
        await context.Out.WriteLineAsync();
        IReadOnlyList<ConcurrencyLevelResult> results = await ConcurrencyBenchmark.RunAsync(context, options, BenchImages.Square336(context), requests, tokens, cancellationToken);
        await context.Out.WriteLineAsync(ConcurrencyBenchmark.Table(results));
        return results.All(x => x.Succeeded == x.Requests && x.AnswersEqualToSequential == x.Requests) ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task<ModelFolder> OpenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await ModelFolder.OpenAsync(path, ChecksumVerification.SizeOnly, cancellationToken: cancellationToken);
        }
        catch (Inference.Errors.ModelLoadException ex)
        {
            throw new CliException(ExitCodes.ModelUnavailable, ex.Message, ex);
        }
    }

    private static Task<ModelBenchResult> MeasureAsync(CliContext context, string label, string path, ModelManifest manifest, int tokens, int runs, CancellationToken cancellationToken)
    {
        bool anyres = manifest.Vision.GridPinpoints.Count > 0;
        (string imageLabel, byte[] image) = anyres
            ? ("1024x768 (anyres)", BenchImages.Resized(context, 1024, 768))
            : ("336x336 (1 tile)", BenchImages.Square336(context));
        return ModelBenchmark.RunAsync(
            ct => EngineLoader.LoadAsync(path, ModelLoadSettings.Default with { Verification = ChecksumVerification.SizeOnly }, context, ct),
            label,
            path,
            imageLabel,
            image,
            tokens,
            runs,
            cancellationToken);
    }

    private static string PerformanceTable(IReadOnlyList<ModelBenchResult> results)
    {
        MarkdownTable table = new("model", "size MiB", "image", "tiles", "image tokens", "prompt tokens", "load s", "preprocess ms", "first token ms", "decode tokens/s", "peak working set MiB");
        foreach (ModelBenchResult r in results)
        {
            table.Add(
                r.Model,
                F(r.ModelMiB, 0),
                r.Image,
                I(r.Tiles),
                I(r.ImageTokens),
                I(r.PromptTokens),
                F(r.LoadSeconds, 2),
                F(r.PreprocessMs, 1),
                F(r.EngineFirstTokenMs, 1),
                F(r.EngineTokensPerSecond, 1),
                F(r.PeakWorkingSetMiB, 0) + (r.PeakIsPerModel ? "" : " (since start)"));
        }

        return table.ToString();
    }

    private static string OverheadTable(IReadOnlyList<ModelBenchResult> results)
    {
        MarkdownTable table = new("model", "engine first token ms", "raw ORT first token ms", "ratio", "engine tokens/s", "raw ORT tokens/s", "ratio (raw/engine)", "engine total ms", "raw ORT total ms", "engine overhead", "same tokens");
        foreach (ModelBenchResult r in results)
        {
            if (r.RawTotalMs is not double rawTotal)
            {
                table.Add(r.Model, F(r.EngineFirstTokenMs, 1), "-", "-", F(r.EngineTokensPerSecond, 1), "-", "-", F(r.EngineTotalMs, 1), "-", r.RawSkippedReason ?? "-", "-");
                continue;
            }

            table.Add(
                r.Model,
                F(r.EngineFirstTokenMs, 1),
                F(r.RawFirstTokenMs!.Value, 1),
                F(r.EngineFirstTokenMs / r.RawFirstTokenMs.Value, 3),
                F(r.EngineTokensPerSecond, 1),
                F(r.RawTokensPerSecond!.Value, 1),
                F(r.RawTokensPerSecond.Value / r.EngineTokensPerSecond, 3),
                F(r.EngineTotalMs, 1),
                F(rawTotal, 1),
                string.Create(CultureInfo.InvariantCulture, $"{(r.EngineTotalMs / rawTotal - 1) * 100:+0.0;-0.0}%"),
                r.SameTokens == true ? $"yes ({r.CompletionTokens})" : "NO");
        }

        return table.ToString();
    }

    private static async Task<string> ConvertTableAsync(CliContext context, CancellationToken cancellationToken)
    {
        TinyFamily family = TinyFamily.FromName(ModelVariant.NextMistral);
        string checkpoint = await RandomModels.CheckpointAsync(context, family, midSize: true, cancellationToken);
        double checkpointMiB = Directory.EnumerateFiles(checkpoint).Sum(f => new FileInfo(f).Length) / 1048576.0;
        MarkdownTable table = new("precision", "convert s", "peak memory MiB", "model folder MiB");
        foreach (string precision in new[] { "fp32", "fp16", "int4" })
        {
            await context.Error.WriteLineAsync($"bench: llava convert --precision {precision} (child process)");
            ConvertBenchResult result = await ConvertBenchmark.RunAsync(checkpoint, precision, Path.GetDirectoryName(checkpoint)!, cancellationToken);
            table.Add(precision, F(result.Seconds, 1), F(result.PeakMiB, 0), F(result.OutputMiB, 0));
        }

        return $"Conversion of the mid-size {family.Name} checkpoint ({checkpointMiB:F0} MiB, fp16 safetensors), one child process per precision:" + Environment.NewLine + Environment.NewLine + table;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
