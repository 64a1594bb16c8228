namespace Llava.Testing.Abuse;

/// <summary>
/// Sends the hostile-image corpus (each file as an upload and as a data URL) and the abuse set to a
/// <see cref="ServeProcess"/> and reports its resident memory: at the start (model loaded, one ordinary request
/// answered), the peak, and after (idle again, one more ordinary request answered).
/// </summary>
public static class ServeMemoryRun
{
    public static async Task<ServeMemoryReport> RunAsync(ServeProcess server, byte[] normalImage, int parallel = 4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        await ExpectOkAsync(server, normalImage, cancellationToken);
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

        await ExpectOkAsync(server, normalImage, cancellationToken);
        return new ServeMemoryReport(start, server.PeakRssBytes, server.RssBytes, requests.Count, [.. answers.Where(AbuseClient.IsServerFault)]);
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
