using System.Diagnostics;
using System.Globalization;
using System.Text;
using Llava.Cli.Demo;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;

namespace Llava.Benchmarks;

/// <summary>
/// <c>memory [tiny|mid] [arena]</c>: for requests of growing size on LLaVA-1.5, the estimated peak next to the measured
/// process peak (Linux VmHWM, reset before each request through /proc/self/clear_refs) and the resident memory left
/// once the request is over, against the baseline measured just before it. Linux only.
/// </summary>
internal static class MemoryBenchmark
{
    public static async Task<int> RunAsync(bool midSize, bool arena)
    {
        string model = await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.Llava15, midSize, ModelPrecision.Fp32, CancellationToken.None);
        using LlavaEngine engine = await LlavaEngine.LoadAsync(new LlavaEngineOptions
        {
            ModelPath = model,
            Verification = Llava.Inference.Loading.ChecksumVerification.SizeOnly,
            MemoryBudgetBytes = 64L << 30,
            EnableCpuMemoryArena = arena,
        });
        byte[] image = File.ReadAllBytes(Llava.Testing.RepositoryPaths.Fixture("images", "chelsea_336x336.png"));
        Console.WriteLine($"LLaVA-1.5 {(midSize ? "mid-size" : "tiny")}, CPU arena {(arena ? "on" : "off")}, context {engine.Manifest.ContextLength}");
        Console.WriteLine("prompt_tokens  estimate_MiB  peak_MiB  est/peak  after_MiB  seconds");
        await RunAsync(engine, image, 64, print: false);
        long start = Rss("VmRSS");
        foreach (int words in new[] { 100, 1000, 2000, 3400 })
        {
            for (int run = 0; run < 2; run++)
            {
                await RunAsync(engine, image, words, print: run == 1);
            }
        }

        Console.WriteLine($"RSS at start {start >> 20} MiB, at end {Rss("VmRSS") >> 20} MiB");
        return 0;
    }

    private static async Task RunAsync(LlavaEngine engine, byte[] image, int words, bool print)
    {
        StringBuilder text = new("Describe");
        for (int i = 0; i < words; i++)
        {
            text.Append(" cat");
        }

        PromptMessage[] messages = [PromptMessage.User(image, text.ToString())];
        GenerationOptions options = new() { MaxNewTokens = 4 };
        RequestShape shape = engine.Measure(messages, options.MaxNewTokens);
        long estimate = engine.MemoryBudget.Estimator.Estimate(shape).Total;
        Settle();
        long baseline = Rss("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5");
        Stopwatch clock = Stopwatch.StartNew();
        await engine.GenerateAsync(messages, options);
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = Rss("VmHWM") - baseline;
        Settle();
        long after = Rss("VmRSS") - baseline;
        if (print)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape.PromptTokens,13}  {estimate >> 20,12}  {peak >> 20,8}  {(double)estimate / Math.Max(1, peak),8:F2}  {after >> 20,9}  {seconds,7:F2}"));
        }
    }

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static long Rss(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field}.");
    }
}
