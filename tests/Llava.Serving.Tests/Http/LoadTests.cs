using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Llava.Inference.Engine;
using Llava.Serving.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Llava.Serving.Tests.Http;

/// <summary>Runs alone, so that the managed-memory measurement sees only its own requests.</summary>
[Collection(nameof(RunsAlone))]
public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bursts_of_32_concurrent_asks_all_complete_or_get_503_with_Retry_After_and_memory_returns_to_its_baseline()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 2, maxQueued: 4));
        LlavaEngine engine = await server.EngineAsync();
        byte[] image = TinyServing.Image();
        // Bursts like the measured ones, until the thread pool and memory settle: ArrayPool keeps buffers per thread
        // and per core (ImageSharp rents its image buffers there), so pooled memory grows with the threads a burst
        // brings in. The baseline then includes the pools, and a leak shows as growth over the measured bursts.
        long baseline = ManagedBytesAfterFullGc();
        int settled = 0;
        for (int warm = 0; warm < 12 && settled < 2; warm++)
        {
            int threads = ThreadPool.ThreadCount;
            await BurstAsync(server, image, maxTokens: 8);
            long now = ManagedBytesAfterFullGc();
            settled = Math.Abs(now - baseline) < 512 * 1024 && ThreadPool.ThreadCount <= threads ? settled + 1 : 0;
            baseline = now;
        }

        Stopwatch clock = Stopwatch.StartNew();

        List<(HttpStatusCode Status, TimeSpan? RetryAfter, string Body)> results = [];
        for (int burst = 0; burst < 3; burst++)
        {
            results.AddRange(await BurstAsync(server, image, maxTokens: 8));
        }

        TimeSpan elapsed = clock.Elapsed;
        string summary = string.Join(", ", results.GroupBy(r => r.Status).Select(g => $"{(int)g.Key} x{g.Count()}"));
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)r.Status}: {r.Body}"));
        Assert.All(results.Where(r => r.Status == HttpStatusCode.ServiceUnavailable), r =>
        {
            Assert.True(r.RetryAfter >= TimeSpan.FromSeconds(1), "a 503 without Retry-After");
            Assert.Equal("engine_busy", JsonDocument.Parse(r.Body).RootElement.GetProperty("code").GetString());
        });
        Assert.All(results.Where(r => r.Status == HttpStatusCode.OK), r => Assert.Equal(8, JsonDocument.Parse(r.Body).RootElement.GetProperty("usage").GetProperty("completionTokens").GetInt32()));
        Assert.True(results.Count(r => r.Status == HttpStatusCode.OK) >= 3 * 6, $"too few answered: {summary}");
        Assert.Equal(0, engine.InFlight);

        long after = ManagedBytesAfterFullGc();
        output.WriteLine($"3 bursts of 32: {summary} in {elapsed.TotalSeconds:F2} s; managed memory {baseline / 1048576.0:F1} MiB before, {after / 1048576.0:F1} MiB after");
        Assert.True(after - baseline < 4L * 1024 * 1024, $"managed memory grew from {baseline / 1048576.0:F1} MiB to {after / 1048576.0:F1} MiB ({summary} in {elapsed.TotalSeconds:F1} s)");
    }

    private static Task<(HttpStatusCode Status, TimeSpan? RetryAfter, string Body)[]> BurstAsync(ServingServer server, byte[] image, int maxTokens) =>
        Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using HttpResponseMessage response = await server.Client.PostAsync("/api/ask", Requests.Multipart(image, $"Question {i}?", ("maxTokens", maxTokens.ToString(CultureInfo.InvariantCulture))));
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, await response.Content.ReadAsStringAsync());
        }));

    private static long ManagedBytesAfterFullGc()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
