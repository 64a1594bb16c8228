using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

public sealed class AskStreamingTests
{
    private const string Question = "Describe the image.";

    [Fact]
    public async Task Deltas_arrive_as_SSE_events_that_add_up_to_the_done_event_s_answer_and_the_engine_s()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync();
        byte[] image = TinyServing.Image();
        GenerationResult expected = await (await server.EngineAsync()).AskAsync(image, Question, new GenerationOptions { MaxNewTokens = 16 });

        using HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Multipart(image, Question, ("maxTokens", "16")));
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        List<SseItem> items = await SseParser.ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        List<SseItem> events = [.. items.Where(i => !i.IsComment)];
        Assert.All(events[..^1], e => Assert.Equal("delta", e.Event));
        Assert.Equal("done", events[^1].Event);
        string concatenated = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()));
        JsonElement done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(expected.Text, concatenated);
        Assert.Equal(expected.Text, done.GetProperty("answer").GetString());
        Assert.Equal(expected.Usage.CompletionTokens, done.GetProperty("usage").GetProperty("completionTokens").GetInt32());
        Assert.True(events.Count >= 3, "expected several deltas");
    }

    [Fact]
    public async Task Heartbeat_comments_appear_at_the_configured_interval()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(api: o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(5));
        JsonObject body = new() { ["question"] = Question, ["image"] = Convert.ToBase64String(TinyServing.Image()), ["maxTokens"] = 400 };

        using HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Json(body));
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        List<SseItem> items = await SseParser.ReadAllAsync(response);

        Assert.Contains(items, i => i.IsComment && i.Data == "ping");
        Assert.Equal("done", items.Last(i => !i.IsComment).Event);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_stops_the_generation()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync();
        LlavaEngine engine = await server.EngineAsync();
        using SocketsHttpHandler handler = new() { MaxResponseDrainSize = 0 };
        using HttpClient client = new(handler) { BaseAddress = server.BaseAddress };
        JsonObject body = new() { ["question"] = Question, ["image"] = Convert.ToBase64String(TinyServing.Image()), ["maxTokens"] = 3000 };

        using (HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Json(body)))
        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Stream stream = await response.Content.ReadAsStreamAsync();
            await foreach (SseItem item in SseParser.ReadAsync(stream))
            {
                if (item.Event == "delta")
                {
                    Assert.Equal(1, engine.InFlight);
                    break;
                }
            }
        }

        client.Dispose();
        Stopwatch clock = Stopwatch.StartNew();
        while (engine.InFlight > 0 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        Assert.True(engine.InFlight == 0, $"still generating {clock.Elapsed} after the client left");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"generation stopped only after {clock.Elapsed}");
        await WaitForAsync(() => server.Logs.Entries.Any(e => e.EventId.Id == 103), "the server never logged the client going away:\n" + server.Logs);
        // The engine logs "Generated N tokens" only for a generation that ran to its end.
        Assert.DoesNotContain(server.Logs.Entries, e => e.Category.EndsWith(".LlavaEngine", StringComparison.Ordinal) && e.EventId.Id == 302);
    }

    [Fact]
    public async Task An_error_before_the_stream_starts_keeps_its_status_even_with_Accept_event_stream()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync();

        using HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Multipart(TinyServing.BadImage("tiny.tiff"), Question));
        using HttpResponseMessage response = await server.Client.SendAsync(request);

        await Requests.AssertProblemAsync(response, 415, "unsupported_image");
    }

    [Fact]
    public async Task An_error_after_the_stream_started_arrives_as_an_error_event_with_a_problem_document()
    {
        // One slot held by another stream; this request waits in the queue for a second before the engine refuses
        // it, while 1 ms heartbeats have long started the event stream: the refusal can only arrive as an event.
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 1, maxQueued: 1, maxWait: TimeSpan.FromSeconds(1)), o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(1));
        using CancellationTokenSource stopHolder = new();
        await using SlotHolder holder = await SlotHolder.StartAsync(server, stopHolder.Token);

        using HttpRequestMessage request = Requests.Streamed("/api/ask", Requests.Multipart(TinyServing.Image("coffee_500x375"), Question));
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        List<SseItem> items = await SseParser.ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SseItem error = Assert.Single(items, i => !i.IsComment);
        Assert.Equal("error", error.Event);
        JsonElement problem = JsonDocument.Parse(error.Data).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(ApiErrorCodes.EngineBusy, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() >= 1);
    }

    private static async Task WaitForAsync(Func<bool> condition, string message)
    {
        Stopwatch clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), message);
            await Task.Delay(10);
        }
    }
}
