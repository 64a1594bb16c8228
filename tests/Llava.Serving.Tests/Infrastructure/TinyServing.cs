using Llava.Inference;
using Llava.Testing;
using Llava.Testing.Models;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>The tiny model, images and engine settings these tests serve.</summary>
internal static class TinyServing
{
    public const string Family = "llava-1.5";

    /// <summary>Engine settings; batches of one unless asked, so <paramref name="maxConcurrent"/> counts requests admitted at once.</summary>
    public static LlavaEngineOptions EngineOptions(int maxConcurrent = 4, int maxQueued = 64, TimeSpan? maxWait = null, int maxBatchSize = 1) => new()
    {
        ModelPath = TinyModels.Model(Family),
        MaxConcurrentGenerations = maxConcurrent,
        MaxBatchSize = maxBatchSize,
        MaxQueuedRequests = maxQueued,
        MaxQueueWait = maxWait ?? TimeSpan.FromSeconds(30),
    };

    public static byte[] Image(string stem = "chelsea_336x336") => File.ReadAllBytes(RepositoryPaths.Fixture("images", stem + ".png"));

    public static byte[] BadImage(string file) => File.ReadAllBytes(RepositoryPaths.Fixture("images", "bad", file));

    public static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
