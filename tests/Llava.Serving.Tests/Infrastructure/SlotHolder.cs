using System.Text.Json.Nodes;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>A streaming ask that has received its first delta, so it holds a generation slot until disposed.</summary>
internal sealed class SlotHolder : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;

    private SlotHolder(HttpClient client, HttpResponseMessage response)
    {
        _client = client;
        _response = response;
    }

    public static async Task<SlotHolder> StartAsync(ServingServer server, CancellationToken cancellationToken = default)
    {
        SocketsHttpHandler handler = new() { MaxResponseDrainSize = 0 };
        HttpClient client = new(handler, disposeHandler: true) { BaseAddress = server.BaseAddress };
        JsonObject body = new() { ["question"] = "Hold the slot.", ["image"] = Convert.ToBase64String(TinyServing.Image()), ["maxTokens"] = 3000 };
        using HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Json(body));
        HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (SseItem item in SseParser.ReadAsync(stream, leaveOpen: true, cancellationToken))
        {
            if (item.Event == "delta")
            {
                return new SlotHolder(client, response);
            }
        }

        throw new InvalidOperationException("The holding stream ended before its first delta.");
    }

    public ValueTask DisposeAsync()
    {
        _response.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
