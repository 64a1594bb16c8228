namespace Llava.Testing.Abuse;

/// <summary>
/// Sends the hostile-image corpus (each file as an upload and as a data URL) and the abuse set to a
/// <see cref="ServeProcess"/> and reports its resident memory: at the start (model loaded, a few ordinary requests
/// answered, so the runtime's per-request buffers exist), the peak, right after, and after a few more ordinary
/// requests. Between the last two the GC collects what the abuse left behind (the largest part: bodies read up to
/// the 32 MiB limit before they were refused); an idle process would keep that garbage mapped until it allocates.
/// </summary>
public static class ServeMemoryRun
{
    /// <summary>Ordinary requests before the start is measured and before the end is.</summary>
    public const int SettleRequests = 5;

    public static async Task<ServeMemoryReport> RunAsync(ServeProcess server, byte[] normalImage, int parallel = 4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        await SettleAsync(server, normalImage, cancellationToken);
        long start = server.RssBytes;

        List<(string Name, Func<HttpRequestMessage> Create)> requests = [];
        foreach (HostileImage image in HostileImageCorpus.Load())
        {
            byte[] bytes = File.ReadAllBytes(image.Path);
            requests.Add(($"ask {image.File}", () => AbuseClient.AskWithImage(bytes)));
            requests.Add(($"chat {image.File}", () => AbuseClient.ChatWithImage(bytes)));
        }

        requests.AddRange(AbuseSet.Build(normalImage).Select(r => (r.Name, r.Create)));
        List<AbuseAnswer> answers = await AbuseClient.SendAllAsync(server.Client, requests, parallel, cancellationToken);

        long rightAfter = server.RssBytes;
        await SettleAsync(server, normalImage, cancellationToken);
        return new ServeMemoryReport(start, server.PeakRssBytes, rightAfter, server.RssBytes, requests.Count, [.. answers.Where(AbuseClient.IsServerFault)]);
    }

    private static async Task SettleAsync(ServeProcess server, byte[] image, CancellationToken cancellationToken)
    {
        for (int i = 0; i < SettleRequests; i++)
        {
            await ExpectOkAsync(server, image, cancellationToken);
        }
    }

    private static async Task ExpectOkAsync(ServeProcess server, byte[] image, CancellationToken cancellationToken)
    {
        AbuseAnswer answer = await AbuseClient.SendAsync(server.Client, "normal", AbuseSet.Normal(image), cancellationToken);
        if (answer.Status != 200)
        {
            throw new InvalidOperationException($"An ordinary request was not answered: {answer}{Environment.NewLine}{server.Log}");
        }
    }
}
