using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Llava.Testing.Abuse;

/// <summary>Sends abuse requests and hostile images to a running server and reads back status, code and param.</summary>
public static class AbuseClient
{
    public static async Task<AbuseAnswer> SendAsync(HttpClient client, string name, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using (request)
        {
            try
            {
                using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
                string body = await response.Content.ReadAsStringAsync(cancellationToken);
                (string? code, string? param) = ReadError(body);
                return new AbuseAnswer(name, (int)response.StatusCode, code, param, body);
            }
            catch (HttpRequestException ex) when (ex.InnerException is IOException && request.Headers.TransferEncodingChunked == true)
            {
                // The server refused a chunked body at its limit and closed while the client was still sending.
                return new AbuseAnswer(name, AbuseAnswer.ConnectionClosed, null, null, ex.Message);
            }
        }
    }

    /// <summary>The image as a multipart upload to <c>/api/ask</c> (one token: the answer itself does not matter).</summary>
    public static HttpRequestMessage AskWithImage(byte[] image)
    {
        MultipartFormDataContent form = new();
        ByteArrayContent file = new(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "image", "image.bin");
        form.Add(new StringContent("What is it?"), "question");
        form.Add(new StringContent("1"), "maxTokens");
        return new HttpRequestMessage(HttpMethod.Post, "/api/ask") { Content = form };
    }

    /// <summary>The image as a data URL in a chat completion.</summary>
    public static HttpRequestMessage ChatWithImage(byte[] image)
    {
        string body = $$$"""{"max_tokens":1,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Convert.ToBase64String(image)}}}"}},{"type":"text","text":"What is it?"}]}]}""";
        return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
    }

    /// <summary>Runs requests with a few at a time (as clients would), in order of the list.</summary>
    public static async Task<List<AbuseAnswer>> SendAllAsync(HttpClient client, IEnumerable<(string Name, Func<HttpRequestMessage> Create)> requests, int parallel, CancellationToken cancellationToken = default)
    {
        List<(string Name, Func<HttpRequestMessage> Create)> list = [.. requests];
        AbuseAnswer[] answers = new AbuseAnswer[list.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, list.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, token) => answers[i] = await SendAsync(client, list[i].Name, list[i].Create(), token));
        return [.. answers];
    }

    public static bool IsServerFault(AbuseAnswer answer) => answer.Status >= 500 && answer.Status != (int)HttpStatusCode.ServiceUnavailable;

    private static (string? Code, string? Param) ReadError(string body)
    {
        if (!body.StartsWith('{'))
        {
            return (null, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            JsonElement error = root.TryGetProperty("error", out JsonElement openAi) && openAi.ValueKind == JsonValueKind.Object ? openAi : root;
            return (Text(error, "code"), Text(error, "param"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
