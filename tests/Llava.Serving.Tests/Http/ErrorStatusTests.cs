using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Engine;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

public sealed class ErrorStatusTests(ReadyServerFixture fixture) : IClassFixture<ReadyServerFixture>
{
    private readonly ServingServer _server = fixture.Server;

    public static TheoryData<string, int, string> BadImages() => new()
    {
        { "truncated.jpg", 400, ApiErrorCodes.InvalidImage },
        { "bomb_100000x100000.png", 413, ApiErrorCodes.ImageTooLarge },
        { "bomb_65535x65535.gif", 413, ApiErrorCodes.ImageTooLarge },
        { "tiny.tiff", 415, ApiErrorCodes.UnsupportedImage },
        { "tiny.tga", 415, ApiErrorCodes.UnsupportedImage },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Bad_images_get_their_status_as_uploads_and_as_base64(string file, int status, string code)
    {
        byte[] bytes = TinyServing.BadImage(file);
        Stopwatch clock = Stopwatch.StartNew();

        using HttpResponseMessage multipart = await _server.Client.PostAsync("/api/ask", Requests.Multipart(bytes, "What is it?"));
        using HttpResponseMessage json = await _server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = "What is it?", ["image"] = Convert.ToBase64String(bytes) }));

        await Requests.AssertProblemAsync(multipart, status, code);
        await Requests.AssertProblemAsync(json, status, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"refusing {file} twice took {clock.Elapsed}");
        Assert.Equal(0, (await _server.EngineAsync()).InFlight);
    }

    [Fact]
    public async Task An_empty_image_is_400()
    {
        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", Requests.Multipart([], "What is it?"));

        await Requests.AssertProblemAsync(response, 400, ApiErrorCodes.EmptyImage);
    }

    [Fact]
    public async Task A_prompt_too_long_for_the_context_is_400_with_the_numbers()
    {
        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "Tell me everything.", ("maxTokens", "4000")));

        JsonElement problem = await Requests.AssertProblemAsync(response, 400, ApiErrorCodes.PromptTooLong);
        Assert.Equal(4096, problem.GetProperty("contextLength").GetInt32());
        Assert.Equal(4000, problem.GetProperty("maxNewTokens").GetInt32());
        Assert.Equal(576, problem.GetProperty("imageTokens").GetInt32());
        Assert.True(problem.GetProperty("promptTokens").GetInt32() > 576);
        Assert.Contains("4096", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_body_limit_is_413_before_it_is_read()
    {
        // As curl does for large bodies, the client asks before sending: the 413 comes instead of a 100 Continue,
        // and not a byte of the 16 MiB travels. The client waits for the answer as long as it takes (HttpClient
        // would otherwise send the body after 1 s), so the proof is the byte count, not a clock.
        await using ServingServer small = await ServingServer.StartAsync(api: o => o.MaxRequestBodyBytes = 64 * 1024);
        using HttpClient patient = new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = small.BaseAddress };
        CountingContent body = new(Requests.Multipart(new byte[16 * 1024 * 1024], "Big?"));
        using HttpRequestMessage request = new(HttpMethod.Post, "/api/ask") { Content = body };
        request.Headers.ExpectContinue = true;

        using HttpResponseMessage response = await patient.SendAsync(request);

        await Requests.AssertProblemAsync(response, 413, ApiErrorCodes.RequestTooLarge);
        Assert.Equal(0, body.BytesSent);
    }

    [Fact]
    public async Task A_chunked_upload_over_the_body_limit_is_413()
    {
        await using ServingServer small = await ServingServer.StartAsync(api: o => o.MaxRequestBodyBytes = 64 * 1024);
        using StreamContent body = new(new MemoryStream(new byte[1024 * 1024]));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpRequestMessage request = new(HttpMethod.Post, "/api/ask") { Content = body };
        request.Headers.TransferEncodingChunked = true;

        using HttpResponseMessage response = await small.Client.SendAsync(request);

        await Requests.AssertProblemAsync(response, 413, ApiErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task A_busy_engine_is_503_with_Retry_After_while_another_stream_holds_the_only_slot()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 1, maxQueued: 0, maxWait: TimeSpan.FromSeconds(7)));
        LlavaEngine engine = await server.EngineAsync();
        await using (SlotHolder holder = await SlotHolder.StartAsync(server))
        {
            Assert.Equal(1, engine.InFlight);

            using HttpResponseMessage ask = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "Anyone there?"));
            using HttpResponseMessage streamed = await server.Client.SendAsync(Requests.Streamed("/api/ask", Requests.Multipart(TinyServing.Image(), "Anyone there?")));

            JsonElement problem = await Requests.AssertProblemAsync(ask, 503, ApiErrorCodes.EngineBusy);
            Assert.Equal(TimeSpan.FromSeconds(7), Requests.AssertRetryAfter(ask));
            Assert.Equal(7, problem.GetProperty("retryAfterSeconds").GetInt32());
            await Requests.AssertProblemAsync(streamed, 503, ApiErrorCodes.EngineBusy);
            Requests.AssertRetryAfter(streamed);
        }

        await WaitUntilIdleAsync(engine);
        using HttpResponseMessage after = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "Now?", ("maxTokens", "2")));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_model_still_loading_is_503_with_Retry_After_after_the_readiness_wait()
    {
        TaskCompletionSource never = new();
        await using ServingServer server = await ServingServer.StartAsync(
            api: o => o.ReadinessWait = TimeSpan.FromMilliseconds(100),
            acquireFolder: async (_, cancellationToken) =>
            {
                await never.Task.WaitAsync(cancellationToken);
                return "";
            });
        Stopwatch clock = Stopwatch.StartNew();

        using HttpResponseMessage response = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "Ready?"));

        await Requests.AssertProblemAsync(response, 503, ApiErrorCodes.ModelLoading);
        Requests.AssertRetryAfter(response);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_model_that_failed_to_load_is_503_with_the_reason()
    {
        await using ServingServer server = await ServingServer.StartAsync(TinyServing.EngineOptions() with { ModelPath = Path.Combine(Path.GetTempPath(), "llava-serving-tests", "missing-" + Guid.NewGuid().ToString("N")) });

        using HttpResponseMessage response = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "Ready?"));

        JsonElement problem = await Requests.AssertProblemAsync(response, 503, ApiErrorCodes.ModelFailed);
        Assert.Contains("Model folder not found", problem.GetProperty("detail").GetString());
        Requests.AssertRetryAfter(response);
    }

    internal static async Task WaitUntilIdleAsync(LlavaEngine engine)
    {
        Stopwatch clock = Stopwatch.StartNew();
        while (engine.InFlight > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the engine did not become idle");
            await Task.Delay(10);
        }
    }
}
