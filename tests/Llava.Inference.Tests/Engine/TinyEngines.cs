using System.Collections.Concurrent;
using Llava.Inference.Engine;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Engine;

/// <summary>One loaded engine per tiny family, shared by the tests of this assembly (loading is the slow part).</summary>
internal static class TinyEngines
{
    private static readonly ConcurrentDictionary<string, Lazy<LlavaEngine>> s_engines = new(StringComparer.Ordinal);

    public static LlavaEngine For(string family) =>
        s_engines.GetOrAdd(family, f => new Lazy<LlavaEngine>(() => Load(f, maxConcurrent: 4, maxQueued: 64))).Value;

    /// <summary>
    /// A private engine with its own limits, for tests that need them; the caller disposes it. Batches of one unless
    /// asked, so <paramref name="maxConcurrent"/> is the number of requests admitted at once.
    /// </summary>
    public static LlavaEngine Load(string family, int maxConcurrent, int maxQueued, TimeSpan? maxWait = null, int maxBatchSize = 1, TimeSpan? batchWindow = null) =>
        LlavaEngine.LoadAsync(new LlavaEngineOptions
        {
            ModelPath = TinyModels.Model(family),
            MaxConcurrentGenerations = maxConcurrent,
            MaxQueuedRequests = maxQueued,
            MaxQueueWait = maxWait ?? TimeSpan.FromSeconds(30),
            MaxBatchSize = maxBatchSize,
            BatchWindow = batchWindow ?? TimeSpan.FromMilliseconds(20),
        }).GetAwaiter().GetResult();

    public static byte[] Image(string stem) => File.ReadAllBytes(Llava.Testing.RepositoryPaths.Fixture("images", stem + ".png"));
}
