using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Llava.ModelFormat;

namespace Llava.Cli.Download;

/// <summary>
/// The two Hugging Face Hub endpoints a checkpoint download needs: the model info
/// (<c>GET {endpoint}/api/models/{repo}/revision/{rev}</c>, whose <c>siblings[].rfilename</c> lists the files)
/// and the file resolver (<c>GET {endpoint}/{repo}/resolve/{rev}/{file}</c>). Redirects are followed here
/// rather than by the handler so the token is sent to the Hub's own origin only, never to the storage
/// host an LFS file redirects to. Downloads go to <c>{file}.part</c>, resume from its length with an HTTP
/// Range request, are checked against the announced size and, for LFS files, the SHA-256 the Hub gives as
/// <c>X-Linked-Etag</c>, and are renamed into place only when whole.
/// </summary>
internal sealed partial class HubClient : IDisposable
{
    private const int MaxRedirects = 10;
    private const int BufferSize = 1 << 20;
    private readonly HttpClient _http;
    private readonly string _endpoint;
    private readonly Uri _origin;
    private readonly string? _token;

    public HubClient(string endpoint, string? token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        if (!Uri.TryCreate(endpoint.TrimEnd('/'), UriKind.Absolute, out Uri? origin) || origin.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.InvalidInput, $"the endpoint '{endpoint}' is not an http(s) URL.");
        }

        _endpoint = endpoint.TrimEnd('/');
        _origin = origin;
        _token = token;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("llava-cli", "1.0"));
    }

    /// <summary>A stall on a download longer than this fails it (the .part file stays for a resume).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>owner/name, each part letters, digits, '-', '_' or '.', as the Hub allows.</summary>
    public static bool IsValidRepositoryId(string id) => RepositoryId().IsMatch(id);

    /// <summary>Every file path of the repository at the revision.</summary>
    public async Task<IReadOnlyList<string>> ListFilesAsync(string repository, string revision, CancellationToken cancellationToken)
    {
        Uri uri = new($"{_endpoint}/api/models/{repository}/revision/{Uri.EscapeDataString(revision)}");
        (HttpResponseMessage response, _, _) = await SendAsync(uri, null, cancellationToken);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal(response, $"repository {repository} at revision {revision}");
            }

            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
            JsonDocument info;
            try
            {
                info = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Failure, $"{uri} did not answer with the Hub's model JSON: {ex.Message}");
            }

            using (info)
            {
                if (!info.RootElement.TryGetProperty("siblings", out JsonElement siblings) || siblings.ValueKind != JsonValueKind.Array)
                {
                    throw new CliException(ExitCodes.Failure, $"{uri} answered without a file list (siblings).");
                }

                return [.. siblings.EnumerateArray()
                    .Select(s => s.TryGetProperty("rfilename", out JsonElement name) ? name.GetString() : null)
                    .OfType<string>()];
            }
        }
    }

    /// <summary>Downloads one file into <paramref name="directory"/>, resuming a <c>.part</c> left by an interrupted run.</summary>
    public async Task<DownloadedFile> DownloadAsync(
        string repository,
        string revision,
        string file,
        string directory,
        bool force,
        Action<long, long?> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        string final = Path.Combine(directory, file);
        string part = final + ".part";
        if (File.Exists(final) && !force)
        {
            return new DownloadedFile(file, new FileInfo(final).Length, Skipped: true, Resumed: false, Sha256Verified: false);
        }

        Uri uri = new($"{_endpoint}/{repository}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");
        for (int attempt = 0; ; attempt++)
        {
            long have = File.Exists(part) ? new FileInfo(part).Length : 0;
            (HttpResponseMessage response, string? sha256, long? linkedSize) = await SendAsync(uri, have > 0 ? have : null, cancellationToken);
            using (response)
            {
                bool resumed = false;
                long? expected;
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
                    if (range?.From != have)
                    {
                        // Not the range we asked for: start again from the beginning.
                        File.Delete(part);
                        if (attempt > 0)
                        {
                            throw new CliException(ExitCodes.Failure, $"{uri} answered a range request with bytes {range?.From}-, not {have}-.");
                        }

                        continue;
                    }

                    resumed = true;
                    expected = range!.Length ?? linkedSize;
                }
                else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    long? size = linkedSize ?? response.Content.Headers.ContentRange?.Length;
                    if (size != have || attempt > 0)
                    {
                        // The .part is not a prefix of this file (a changed revision, a corrupt file): start again.
                        File.Delete(part);
                        if (attempt > 0)
                        {
                            throw new CliException(ExitCodes.Failure, $"{uri} refused the range request ({(int)response.StatusCode}).");
                        }

                        continue;
                    }

                    // The previous run received every byte but stopped before the rename.
                    return Finish(file, part, final, sha256, have, resumed: true);
                }
                else if (response.IsSuccessStatusCode)
                {
                    // A full answer (the server ignored the range, or there was nothing to resume): start from zero.
                    expected = response.Content.Headers.ContentLength ?? linkedSize;
                    have = 0;
                }
                else
                {
                    throw Refusal(response, $"{file} of {repository} at revision {revision}");
                }

                progress(have, expected);
                await CopyAsync(response, part, have, expected, progress, cancellationToken);
                long received = new FileInfo(part).Length;
                if (expected is long total && received != total)
                {
                    throw new IOException($"{file}: received {received} of {total} bytes; the connection ended early. Run the same command again to resume.");
                }

                return Finish(file, part, final, sha256, received, resumed);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static DownloadedFile Finish(string file, string part, string final, string? sha256, long bytes, bool resumed)
    {
        bool verified = false;
        if (sha256 is not null)
        {
            using FileStream stream = new(part, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
            string actual = FileSha256.Compute(stream);
            if (!FileSha256.AreEqual(actual, sha256))
            {
                stream.Dispose();
                File.Delete(part);
                throw new CliException(ExitCodes.Failure, $"{file}: SHA-256 {actual} does not match the Hub's {sha256}; the download was deleted. Run the same command again.");
            }

            verified = true;
        }

        File.Move(part, final, overwrite: true);
        return new DownloadedFile(file, bytes, Skipped: false, resumed, verified);
    }

    private async Task CopyAsync(HttpResponseMessage response, string part, long have, long? expected, Action<long, long?> progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        await using FileStream output = new(part, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] buffer = new byte[BufferSize];
        long done = have;
        using CancellationTokenSource stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            stall.CancelAfter(StallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"no data for {StallTimeout.TotalSeconds:F0} s; run the same command again to resume.");
            }

            if (read == 0)
            {
                break;
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            done += read;
            progress(done, expected);
        }
    }

    /// <summary>GET following redirects by hand; also returns the LFS SHA-256 and size the Hub announced on the way.</summary>
    private async Task<(HttpResponseMessage Response, string? Sha256, long? LinkedSize)> SendAsync(Uri uri, long? rangeStart, CancellationToken cancellationToken)
    {
        string? sha256 = null;
        long? linkedSize = null;
        for (int hop = 0; ; hop++)
        {
            using HttpRequestMessage request = new(HttpMethod.Get, uri);
            if (_token is not null && IsHubOrigin(uri))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            }

            if (rangeStart is long start)
            {
                request.Headers.Range = new RangeHeaderValue(start, null);
            }

            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            sha256 ??= Sha256From(Header(response, "X-Linked-Etag"));
            linkedSize ??= long.TryParse(Header(response, "X-Linked-Size"), out long size) ? size : null;
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new CliException(ExitCodes.Failure, $"more than {MaxRedirects} redirects from {uri}.");
                }

                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }

            // A plain (non-LFS) file's ETag is a git hash, not a SHA-256; only a 64-hex one is used.
            sha256 ??= Sha256From(response.Headers.ETag?.Tag);
            return (response, sha256, linkedSize);
        }
    }

    private bool IsHubOrigin(Uri uri) =>
        string.Equals(uri.Scheme, _origin.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Host, _origin.Host, StringComparison.OrdinalIgnoreCase)
        && uri.Port == _origin.Port;

    private CliException Refusal(HttpResponseMessage response, string what)
    {
        string? detail = Header(response, "X-Error-Message");
        string suffix = detail is null ? "" : $" (the Hub says: {detail})";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when _token is null => new CliException(
                ExitCodes.ModelUnavailable,
                $"{what}: access denied ({(int)response.StatusCode}){suffix}. The repository is gated or private, or does not exist: set HF_TOKEN to a Hugging Face access token that may read it."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new CliException(
                ExitCodes.ModelUnavailable,
                $"{what}: access denied ({(int)response.StatusCode}) with the token in HF_TOKEN{suffix}. Accept the model's terms on its page, or use a token that has access."),
            HttpStatusCode.NotFound => new CliException(ExitCodes.ModelUnavailable, $"{what}: not found (404){suffix}. Check the repository id and --revision."),
            _ => new CliException(ExitCodes.Failure, $"{what}: the Hub answered {(int)response.StatusCode} {response.ReasonPhrase}{suffix}."),
        };
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    private static string? Sha256From(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        string tag = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        tag = tag.Trim('"');
        return Sha256Hex().IsMatch(tag) ? tag.ToLowerInvariant() : null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex RepositoryId();
}
