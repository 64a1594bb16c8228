using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

public sealed class ImageReferenceTests : IAsyncLifetime
{
    private readonly FakeImageResolver _resolver = new(new Dictionary<string, byte[]>
    {
        ["cat.png"] = TinyServing.Image(),
        ["huge.png"] = new byte[2048],
    });

    private ServingServer? _server;

    private ServingServer Server => _server!;

    public async Task InitializeAsync() => _server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions() with { MaxImageBytes = 1024 * 1024 }, resolver: _resolver);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    [Fact]
    public async Task A_reference_the_resolver_accepts_is_answered_like_the_uploaded_image()
    {
        GenerationResult expected = await (await Server.EngineAsync()).AskAsync(TinyServing.Image(), "What?", new GenerationOptions { MaxNewTokens = 6 });

        using HttpResponseMessage ask = await Server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = "What?", ["imageUrl"] = "images/cat.png", ["maxTokens"] = 6 }));
        using HttpResponseMessage chat = await Server.Client.PostAsync("/v1/chat/completions", Requests.Json(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "images/cat.png" } },
                    new JsonObject { ["type"] = "text", ["text"] = "What?" }),
            }),
            ["max_tokens"] = 6,
        }));

        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        Assert.Equal(expected.Text, JsonDocument.Parse(await ask.Content.ReadAsStringAsync()).RootElement.GetProperty("answer").GetString());
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(expected.Text, JsonDocument.Parse(await chat.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.All(_resolver.Calls, c => Assert.Equal(1024 * 1024, c.MaxBytes));
    }

    [Theory]
    [InlineData("https://elsewhere.example/cat.png", 400, ApiErrorCodes.ImageReferenceRefused)]
    [InlineData("images/missing.png", 400, ApiErrorCodes.ImageReferenceNotFound)]
    [InlineData("images/flaky.png", 503, ApiErrorCodes.ImageReferenceUnavailable)]
    public async Task Resolver_refusals_map_to_their_status(string reference, int status, string code)
    {
        using HttpResponseMessage response = await Server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = "What?", ["imageUrl"] = reference }));

        await Requests.AssertProblemAsync(response, status, code);
        if (status == 503)
        {
            Assert.Equal(TimeSpan.FromSeconds(3), Requests.AssertRetryAfter(response));
        }
    }

    [Fact]
    public async Task A_referenced_image_over_the_engine_s_limit_is_413()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions() with { MaxImageBytes = 1024 }, resolver: _resolver);

        using HttpResponseMessage response = await server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = "What?", ["imageUrl"] = "images/huge.png" }));

        await Requests.AssertProblemAsync(response, 413, ApiErrorCodes.ImageTooLarge);
    }
}
