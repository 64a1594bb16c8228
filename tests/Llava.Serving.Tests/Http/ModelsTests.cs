using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using Llava.Inference.Engine;
using Llava.Inference.Loading;
using Llava.Serving.Tests.Infrastructure;
using Llava.Testing.Models;
using OpenAI;
using OpenAI.Models;

namespace Llava.Serving.Tests.Http;

/// <summary><c>GET /v1/models</c> and <c>/v1/models/{id}</c>, through the official OpenAI .NET client.</summary>
public sealed class ModelsTests(ReadyServerFixture fixture) : IClassFixture<ReadyServerFixture>
{
    private readonly ServingServer _server = fixture.Server;

    [Fact]
    public async Task The_official_OpenAI_client_lists_the_loaded_model()
    {
        LlavaEngine engine = await _server.EngineAsync();

        OpenAIModelCollection models = await Client(_server).GetModelsAsync();

        OpenAIModel model = Assert.Single(models);
        Assert.Equal(engine.Manifest.Variant, model.Id);
        Assert.Equal(engine.Manifest.CreatedUtc.ToUnixTimeSeconds(), model.CreatedAt.ToUnixTimeSeconds());
        Assert.Equal("local", model.OwnedBy);
    }

    [Fact]
    public async Task The_official_OpenAI_client_gets_the_model_by_id_with_its_context_length_and_variant()
    {
        LlavaEngine engine = await _server.EngineAsync();

        OpenAIModel model = await Client(_server).GetModelAsync(engine.Manifest.Variant);
        using HttpResponseMessage raw = await _server.Client.GetAsync("/v1/models/" + engine.Manifest.Variant);
        using JsonDocument body = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());

        Assert.Equal(engine.Manifest.Variant, model.Id);
        Assert.Equal("model", body.RootElement.GetProperty("object").GetString());
        Assert.Equal(engine.Manifest.ContextLength, body.RootElement.GetProperty("context_length").GetInt32());
        Assert.Equal(engine.Manifest.Variant, body.RootElement.GetProperty("variant").GetString());
        Assert.Equal(engine.Manifest.Precision, body.RootElement.GetProperty("precision").GetString());
    }

    [Fact]
    public async Task Another_model_id_is_404_model_not_found_in_OpenAI_s_envelope()
    {
        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => Client(_server).GetModelAsync("gpt-4o"));
        using HttpResponseMessage raw = await _server.Client.GetAsync("/v1/models/gpt-4o");
        using JsonDocument body = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());

        Assert.Equal(404, error.Status);
        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        JsonElement envelope = body.RootElement.GetProperty("error");
        Assert.Equal("model_not_found", envelope.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", envelope.GetProperty("type").GetString());
        Assert.Contains("gpt-4o", envelope.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_are_503_model_loading_with_Retry_After_until_the_model_is_ready()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        string folder = TinyModels.Model(TinyServing.Family);
        await using ServingServer server = await ServingServer.StartAsync(acquireFolder: async (IProgress<ModelLoadProgress> _, CancellationToken cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return folder;
        });

        ClientResultException loading = await Assert.ThrowsAsync<ClientResultException>(() => Client(server).GetModelsAsync());
        using HttpResponseMessage raw = await server.Client.GetAsync("/v1/models");
        using JsonDocument body = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
        Assert.Equal(503, loading.Status);
        Requests.AssertRetryAfter(raw);
        Assert.Equal("model_loading", body.RootElement.GetProperty("error").GetProperty("code").GetString());

        release.SetResult();
        await server.EngineAsync();
        OpenAIModelCollection ready = await Client(server).GetModelsAsync();
        Assert.Single(ready);
    }

    private static OpenAIModelClient Client(ServingServer server) =>
        new(new ApiKeyCredential("any-key"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseAddress, "/v1"),
            NetworkTimeout = TimeSpan.FromSeconds(60),
            // The client retries 503s (honouring Retry-After); these tests want to see the first answer.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
}
