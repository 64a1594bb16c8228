using System.Diagnostics;
using System.Globalization;
using Llava.Benchmarking;
using Llava.Cli.Bench;
using Llava.Cli.Demo;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Loading;
using Llava.Inference.Prompts;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;
using ScottPlot;

namespace Llava.Benchmarks;

/// <summary>
/// Time to first token and decode tokens/s against the prompt's image-token count on the mid-size random models:
/// LLaVA-1.5 with one 336 px tile (576 tokens) and LLaVA-NeXT with 3 and 5 tiles (336 x 336, 500 x 375,
/// 672 x 672 and 1024 x 768 photos). Prints a Markdown table and writes a PNG with ScottPlot.
/// </summary>
internal static class TokenSweep
{
    private const int Tokens = 16;
    private const int Runs = 2;

    public static async Task<int> RunAsync(string plotPath)
    {
        List<SweepPoint> points = [];
        string llava15 = await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.Llava15, midSize: true, ModelPrecision.Fp32, CancellationToken.None);
        string next = await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.NextMistral, midSize: true, ModelPrecision.Fp32, CancellationToken.None);
        using (LlavaEngine engine = await LoadAsync(llava15))
        {
            points.Add(await MeasureAsync(engine, "mid-size llava-1.5", "336x336", BenchImages.Square336(BenchInputs.Context)));
        }

        using (LlavaEngine engine = await LoadAsync(next))
        {
            points.Add(await MeasureAsync(engine, "mid-size llava-v1.6-mistral", "336x336", BenchImages.Square336(BenchInputs.Context)));
            points.Add(await MeasureAsync(engine, "mid-size llava-v1.6-mistral", "500x375", BenchImages.Resized(BenchInputs.Context, 500, 375)));
            points.Add(await MeasureAsync(engine, "mid-size llava-v1.6-mistral", "1024x768", BenchImages.Resized(BenchInputs.Context, 1024, 768)));
            points.Add(await MeasureAsync(engine, "mid-size llava-v1.6-mistral", "672x672", BenchImages.Resized(BenchInputs.Context, 672, 672)));
        }

        Console.WriteLine($"Sweep on {MachineInfo.Describe()}; {Tokens} greedy tokens, median of {Runs} runs after a warm-up.");
        Console.WriteLine();
        MarkdownTable table = new("model", "image", "tiles", "image tokens", "prompt tokens", "preprocess ms", "first token ms", "decode tokens/s");
        foreach (SweepPoint p in points.OrderBy(p => p.PromptTokens))
        {
            table.Add(p.Model, p.Image, I(p.Tiles), I(p.ImageTokens), I(p.PromptTokens), F(p.PreprocessMs), F(p.FirstTokenMs), F(p.TokensPerSecond));
        }

        Console.WriteLine(table);
        Plot(points, plotPath);
        Console.WriteLine($"Plot written to {Path.GetFullPath(plotPath)}");
        return 0;
    }

    private static Task<LlavaEngine> LoadAsync(string path) =>
        LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = path, Verification = ChecksumVerification.SizeOnly });

    private static async Task<SweepPoint> MeasureAsync(LlavaEngine engine, string model, string image, byte[] bytes)
    {
        PromptMessage[] messages = [PromptMessage.User(bytes, ModelBenchmark.Question)];
        GenerationOptions options = new() { MaxNewTokens = Tokens };
        Console.Error.WriteLine($"sweep: {model}, {image}");
        await engine.GenerateAsync(messages, options);
        List<double> first = [], rate = [], preprocess = [];
        GenerationResult? last = null;
        for (int run = 0; run < Runs; run++)
        {
            Stopwatch clock = Stopwatch.StartNew();
            last = await engine.GenerateAsync(messages, options);
            first.Add(last.Timings.TimeToFirstToken.TotalMilliseconds);
            rate.Add(last.Timings.DecodeTokensPerSecond);
            preprocess.Add(last.Timings.Preprocess.TotalMilliseconds);
        }

        PreparedPrompt prompt = await engine.PrepareAsync(messages);
        return new SweepPoint(model, image, prompt.TileCount, last!.Usage.ImageTokens, last.Usage.PromptTokens, ModelBenchmark.Median(preprocess), ModelBenchmark.Median(first), ModelBenchmark.Median(rate));
    }

    private static void Plot(IReadOnlyList<SweepPoint> points, string path)
    {
        SweepPoint[] ordered = [.. points.OrderBy(p => p.PromptTokens)];
        double[] xs = [.. ordered.Select(p => (double)p.PromptTokens)];
        Plot plot = new();
        var latency = plot.Add.Scatter(xs, [.. ordered.Select(p => p.FirstTokenMs / 1000.0)]);
        latency.LegendText = "time to first token (s, left)";
        latency.MarkerSize = 8;
        var speed = plot.Add.Scatter(xs, [.. ordered.Select(p => p.TokensPerSecond)]);
        speed.LegendText = "decode tokens/s (right)";
        speed.MarkerSize = 8;
        speed.LinePattern = LinePattern.Dashed;
        speed.Axes.YAxis = plot.Axes.Right;
        foreach (SweepPoint p in ordered)
        {
            var label = plot.Add.Text($"{p.Tiles} tile{(p.Tiles == 1 ? "" : "s")}", p.PromptTokens, p.FirstTokenMs / 1000.0);
            label.LabelFontSize = 11;
            label.OffsetY = -6;
        }

        plot.Title($"Mid-size random LLaVA models on CPU ({MachineInfo.CpuModel()}, {Environment.ProcessorCount} CPUs)");
        plot.XLabel("prompt tokens (image tokens + text)");
        plot.Axes.Left.Label.Text = "time to first token (s)";
        plot.Axes.Right.Label.Text = "decode tokens/s";
        plot.Axes.SetLimitsY(0, ordered.Max(p => p.FirstTokenMs) / 1000.0 * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, ordered.Max(p => p.TokensPerSecond) * 1.3, plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 500);
    }

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
