using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Llava.Cli.Tests;

/// <summary>
/// A local stand-in for the Hugging Face Hub on 127.0.0.1, answering the way the Hub's endpoints do:
/// <c>/api/models/{repo}/revision/{rev}</c> with <c>siblings[].rfilename</c>; <c>/{repo}/resolve/{rev}/{file}</c>
/// serving small files directly (git-hash ETag) and LFS files with a 302 to a second origin (the "CDN") plus
/// <c>X-Linked-Etag</c> (SHA-256) and <c>X-Linked-Size</c>; Range requests (206/416); 401 for a gated repository
/// without the right token, 404 for a missing one. Every request is recorded; a file can be made to break off
/// after some bytes, as an interrupted download does.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    private readonly HttpListener _hub;
    private readonly HttpListener _cdn;
    private readonly Dictionary<string, FakeRepository> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _breakAfter = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    public FakeHub()
    {
        (_hub, HubPort) = Listen();
        (_cdn, CdnPort) = Listen();
        _ = ServeAsync(_hub, HandleHubAsync);
        _ = ServeAsync(_cdn, HandleCdnAsync);
    }

    public int HubPort { get; }

    public int CdnPort { get; }

    public string Endpoint => $"http://127.0.0.1:{HubPort}";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public void Add(FakeRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repositories[repository.Id] = repository;
    }

    /// <summary>The next full download of <paramref name="file"/> announces its whole length but stops after <paramref name="bytes"/> bytes.</summary>
    public void BreakNextDownload(string file, int bytes) => _breakAfter[file] = bytes;

    public void Dispose()
    {
        _stop.Cancel();
        _hub.Close();
        _cdn.Close();
        _stop.Dispose();
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static (HttpListener Listener, int Port) Listen()
    {
        for (int attempt = 0; ; attempt++)
        {
            TcpListener probe = new(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            HttpListener listener = new();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between the probe and the start: try another.
                listener.Close();
            }
        }
    }

    private async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handle(context);
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // The client went away (or we broke the connection on purpose).
                }
            });
        }
    }

    private async Task HandleHubAsync(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        // Segments are unescaped one by one: a revision such as refs/pr/1 arrives as one segment, refs%2Fpr%2F1.
        string[] parts = [.. RawPath(request).Trim('/').Split('/').Select(Uri.UnescapeDataString)];
        string path = "/" + string.Join('/', parts);
        Requests.Enqueue(new RecordedRequest("hub", path, request.Headers["Authorization"], request.Headers["Range"]));
        if (parts.Length == 6 && parts[0] == "api" && parts[1] == "models" && parts[4] == "revision")
        {
            FakeRepository? repository = Find(context, $"{parts[2]}/{parts[3]}");
            if (repository is not null)
            {
                JsonObject info = new()
                {
                    ["id"] = repository.Id,
                    ["sha"] = "0123456789abcdef0123456789abcdef01234567",
                    ["siblings"] = new JsonArray([.. repository.Files.Keys.Select(f => (JsonNode)new JsonObject { ["rfilename"] = f })]),
                };
                await WriteAsync(context.Response, 200, Encoding.UTF8.GetBytes(info.ToJsonString()), "application/json");
            }

            return;
        }

        if (parts.Length >= 5 && parts[2] == "resolve")
        {
            FakeRepository? repository = Find(context, $"{parts[0]}/{parts[1]}");
            if (repository is null)
            {
                return;
            }

            string file = string.Join('/', parts[4..]);
            if (!repository.Files.TryGetValue(file, out byte[]? content))
            {
                context.Response.Headers["X-Error-Code"] = "EntryNotFound";
                await WriteAsync(context.Response, 404, "Entry not found"u8.ToArray(), "text/plain");
                return;
            }

            if (repository.Lfs.Contains(file))
            {
                string sha = repository.AnnouncedSha256.GetValueOrDefault(file) ?? Sha256(content);
                context.Response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
                context.Response.Headers["X-Linked-Size"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["ETag"] = $"\"{sha}\"";
                context.Response.Redirect($"http://127.0.0.1:{CdnPort}/repos/{repository.Id}/{file}?X-Amz-Signature=abc");
                context.Response.StatusCode = 302;
                context.Response.Close();
                return;
            }

            // A git blob hash (40 hex digits) for plain files, as the Hub sends; never a SHA-256.
            context.Response.Headers["ETag"] = $"\"{Sha256(content)[..40]}\"";
            await ServeContentAsync(context, file, content);
            return;
        }

        await WriteAsync(context.Response, 404, "Not found"u8.ToArray(), "text/plain");
    }

    private async Task HandleCdnAsync(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string[] parts = [.. RawPath(request).Trim('/').Split('/').Select(Uri.UnescapeDataString)];
        string path = "/" + string.Join('/', parts);
        Requests.Enqueue(new RecordedRequest("cdn", path, request.Headers["Authorization"], request.Headers["Range"]));
        if (parts.Length >= 4 && parts[0] == "repos" && _repositories.TryGetValue($"{parts[1]}/{parts[2]}", out FakeRepository? repository)
            && repository.Files.TryGetValue(string.Join('/', parts[3..]), out byte[]? content))
        {
            await ServeContentAsync(context, string.Join('/', parts[3..]), content);
            return;
        }

        await WriteAsync(context.Response, 404, "Not found"u8.ToArray(), "text/plain");
    }

    /// <summary>200 with the whole file, or 206/416 for "Range: bytes=N-"; possibly broken off on purpose.</summary>
    private async Task ServeContentAsync(HttpListenerContext context, string file, byte[] content)
    {
        HttpListenerResponse response = context.Response;
        response.Headers["Accept-Ranges"] = "bytes";
        response.ContentType = "application/octet-stream";
        long start = 0;
        if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{content.Length}";
                response.ContentLength64 = 0;
                response.Close();
                return;
            }

            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentLength64 = content.Length - start;
        if (start == 0 && _breakAfter.TryRemove(file, out int bytes))
        {
            await response.OutputStream.WriteAsync(content.AsMemory(0, bytes));
            await response.OutputStream.FlushAsync();
            response.Abort();
            return;
        }

        await response.OutputStream.WriteAsync(content.AsMemory((int)start));
        response.Close();
    }

    private FakeRepository? Find(HttpListenerContext context, string id)
    {
        if (!_repositories.TryGetValue(id, out FakeRepository? repository))
        {
            // The Hub answers 401 for unknown repositories to anonymous callers, 404 when authenticated; 404 here keeps tests simple.
            context.Response.Headers["X-Error-Code"] = "RepoNotFound";
            context.Response.Headers["X-Error-Message"] = "Repository not found";
            _ = WriteAsync(context.Response, 404, "{\"error\":\"Repository not found\"}"u8.ToArray(), "application/json");
            return null;
        }

        if (repository.Token is { } token && context.Request.Headers["Authorization"] != $"Bearer {token}")
        {
            context.Response.Headers["X-Error-Code"] = "GatedRepo";
            context.Response.Headers["X-Error-Message"] = "Access to this model is restricted";
            _ = WriteAsync(context.Response, 401, "{\"error\":\"Access restricted\"}"u8.ToArray(), "application/json");
            return null;
        }

        return repository;
    }

    private static string RawPath(HttpListenerRequest request)
    {
        string raw = request.RawUrl ?? "/";
        int query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, byte[] body, string contentType)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }
}
