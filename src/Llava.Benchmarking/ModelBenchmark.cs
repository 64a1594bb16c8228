using System.Diagnostics;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;

namespace Llava.Benchmarking;

/// <summary>
/// Measures one model on one image: preprocessing, then generation through the engine and through the raw
/// graphs (<see cref="RawOnnxPipeline"/>) alternately in the same process, on the same prepared inputs, greedy,
/// so both produce the same tokens and the difference is the engine's own cost. Reports medians.
/// </summary>
public static class ModelBenchmark
{
    public const string Question = "Describe this image in detail.";

    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(1);

    /// <summary>Runs the measurement; <paramref name="loadEngine"/> loads the model at <paramref name="modelPath"/> (timed as the load), with the caller's settings and progress.</summary>
    public static async Task<ModelBenchResult> RunAsync(
        Func<CancellationToken, Task<LlavaEngine>> loadEngine,
        string label,
        string modelPath,
        string imageLabel,
        byte[] image,
        int tokens,
        int runs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadEngine);
        bool perModelPeak = PeakMemory.Reset();
        Stopwatch loadClock = Stopwatch.StartNew();
        using LlavaEngine engine = await loadEngine(cancellationToken);
        double loadSeconds = loadClock.Elapsed.TotalSeconds;
        PromptMessage[] messages = [PromptMessage.User(image, Question)];
        GenerationOptions options = new() { MaxNewTokens = tokens };

        PreparedPrompt prompt = await engine.PrepareAsync(messages, cancellationToken);
        List<double> preprocess = [];
        for (int i = 0; i < Math.Max(runs, 5); i++)
        {
            PreparedPrompt again = await engine.PrepareAsync(messages, cancellationToken);
            preprocess.Add(again.PreprocessTime.TotalMilliseconds);
        }

        // Warm-up, and the peak of the engine alone (before the raw sessions load the weights a second time).
        await engine.GenerateAsync(messages, options, cancellationToken);
        double peakMiB = PeakMemory.PeakBytes() / 1048576.0;

        RawOnnxPipeline? raw = null;
        string? skipped = null;
        try
        {
            raw = new RawOnnxPipeline(modelPath);
            raw.Generate(prompt, tokens, engine.Manifest.EosTokenIds.ToHashSet());
        }
        catch (NotSupportedException ex)
        {
            skipped = ex.Message;
        }

        // Engine and raw runs in separate blocks with a pause between, not interleaved: ONNX Runtime's worker
        // threads spin for a while after each run, and on a small machine one side's spinning threads would
        // slow the other down.
        List<double> engineFirst = [], engineRate = [], engineTotal = [], rawFirst = [], rawRate = [], rawTotal = [];
        List<GenerationResult> engineResults = [];
        await Task.Delay(s_settle, cancellationToken);
        for (int run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Stopwatch clock = Stopwatch.StartNew();
            GenerationResult result = await engine.GenerateAsync(messages, options, cancellationToken);
            engineFirst.Add(result.Timings.TimeToFirstToken.TotalMilliseconds);
            engineRate.Add(result.Timings.DecodeTokensPerSecond);
            engineTotal.Add(clock.Elapsed.TotalMilliseconds - result.Timings.Preprocess.TotalMilliseconds);
            engineResults.Add(result);
        }

        bool same = true;
        using (raw)
        {
            if (raw is not null)
            {
                await Task.Delay(s_settle, cancellationToken);
                for (int run = 0; run < runs; run++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    RawRun direct = raw.Generate(prompt, tokens, engine.Manifest.EosTokenIds.ToHashSet());
                    rawFirst.Add(direct.TimeToFirstToken.TotalMilliseconds);
                    rawRate.Add(direct.DecodeTokensPerSecond);
                    rawTotal.Add((direct.TimeToFirstToken + direct.Decode).TotalMilliseconds);
                    same &= direct.TokenIds.SequenceEqual(engineResults[run].TokenIds);
                }
            }
        }

        int completion = engineResults[^1].Usage.CompletionTokens;
        return new ModelBenchResult
        {
            Model = label,
            Image = imageLabel,
            ModelMiB = engine.Manifest.Files.Sum(f => f.Bytes) / 1048576.0,
            LoadSeconds = loadSeconds,
            ImageTokens = prompt.ImageTokenCount,
            PromptTokens = prompt.TokenIds.Length,
            Tiles = prompt.TileCount,
            PreprocessMs = Median(preprocess),
            EngineFirstTokenMs = Median(engineFirst),
            EngineTokensPerSecond = Median(engineRate),
            EngineTotalMs = Median(engineTotal),
            CompletionTokens = completion,
            PeakWorkingSetMiB = peakMiB,
            PeakIsPerModel = perModelPeak,
            RawFirstTokenMs = raw is null ? null : Median(rawFirst),
            RawTokensPerSecond = raw is null ? null : Median(rawRate),
            RawTotalMs = raw is null ? null : Median(rawTotal),
            SameTokens = raw is null ? null : same,
            RawSkippedReason = skipped,
        };
    }

    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
