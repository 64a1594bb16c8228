using System.Globalization;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.ModelBuilder.Graphs;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Engine;

/// <summary>Runs alone (no other test allocates meanwhile), so the process's resident memory is this test's to read.</summary>
[Collection(nameof(MemoryRunsAlone))]
public sealed class MemoryReturnTests
{
    [Fact]
    public async Task After_a_large_request_the_process_memory_returns_near_its_baseline()
    {
        Assert.True(OperatingSystem.IsLinux(), "This test reads /proc/self/status; CI runs on Linux.");
        // The plain-operator decoder keeps T x T scores per layer, so a 2,000-token prompt costs hundreds of MiB even
        // on a tiny model: enough for the test to see whether that memory comes back. (The fused decoder needs ~10x less.)
        string model = TinyModels.Model("llava-1.5", attention: DecoderAttention.PlainOperators);
        using LlavaEngine engine = await LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = model, MemoryBudgetBytes = 8L << 30 });
        byte[] image = TinyEngines.Image("chelsea_336x336");
        await engine.AskAsync(image, "Warm up.", new GenerationOptions { MaxNewTokens = 2 });
        PromptMessage large = PromptMessage.User(image, "Describe" + string.Concat(Enumerable.Repeat(" cat", 2000)));
        long estimate = engine.MemoryBudget.Estimator.Estimate(engine.Measure([large], 2)).Total;
        Assert.True(estimate >= MemoryReturn.LargeRequestBytes, $"The request must count as large; its estimate is {estimate >> 20} MiB.");

        Settle();
        long baseline = Read("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5");
        await engine.GenerateAsync([large], new GenerationOptions { MaxNewTokens = 2 });
        long peak = Read("VmHWM") - baseline;
        Settle();
        long after = Read("VmRSS") - baseline;

        string figures = string.Create(CultureInfo.InvariantCulture, $"baseline {baseline >> 20} MiB, peak +{peak >> 20} MiB, after +{after >> 20} MiB");
        // The request really used memory (so the test can fail), and at most a small part of it stays.
        Assert.True(peak > 150L << 20, figures);
        Assert.True(after < Math.Max(64L << 20, peak / 4), figures);
    }

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    private static long Read(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
