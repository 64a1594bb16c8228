using System.Net;
using System.Text.Json;
using Llava.Inference.Loading;
using Llava.Serving.Tests.Infrastructure;
using Llava.Testing.Models;

namespace Llava.Serving.Tests.Http;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_says_loading_with_Retry_After_until_the_model_is_ready_then_names_the_model()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        string folder = TinyModels.Model(TinyServing.Family);
        await using ServingServer server = await ServingServer.StartAsync(acquireFolder: async (IProgress<ModelLoadProgress> _, CancellationToken cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return folder;
        });

        using HttpResponseMessage loading = await server.Client.GetAsync("/api/health");
        JsonElement loadingBody = await ReadJsonAsync(loading);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
        Requests.AssertRetryAfter(loading);
        Assert.Equal("loading", loadingBody.GetProperty("status").GetString());
        Assert.Equal("acquiring model folder", loadingBody.GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, loadingBody.GetProperty("model").ValueKind);
        Assert.Equal(JsonValueKind.Null, loadingBody.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, loadingBody.GetProperty("capacity").ValueKind);

        release.SetResult();
        await server.EngineAsync();
        using HttpResponseMessage ready = await server.Client.GetAsync("/api/health");
        JsonElement body = await ReadJsonAsync(ready);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Null(ready.Headers.RetryAfter);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        JsonElement model = body.GetProperty("model");
        Assert.Equal("llava-1.5", model.GetProperty("variant").GetString());
        Assert.Equal("fp32", model.GetProperty("precision").GetString());
        Assert.Equal("ckpt-llava-1.5", model.GetProperty("source").GetString());
        Assert.Equal("cpu", model.GetProperty("executionProvider").GetString());
        Assert.Equal(0, body.GetProperty("inFlight").GetInt32());
        Assert.True(body.GetProperty("uptimeSeconds").GetDouble() > 0);
    }

    [Fact]
    public async Task Health_reports_the_memory_budget_what_requests_reserve_of_it_and_the_batches_run()
    {
        await using ServingServer server = await ServingServer.StartAsync(TinyServing.EngineOptions() with { MemoryBudgetBytes = 512L << 20, MaxBatchSize = 3 });
        await server.EngineAsync();
        using HttpResponseMessage asked = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "What is this?", ("maxTokens", "3")));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);

        using HttpResponseMessage response = await server.Client.GetAsync("/api/health");
        JsonElement capacity = (await ReadJsonAsync(response)).GetProperty("capacity");

        Assert.Equal(512L << 20, capacity.GetProperty("memoryBudgetBytes").GetInt64());
        Assert.Equal(0, capacity.GetProperty("reservedBytes").GetInt64());
        Assert.Equal(0, capacity.GetProperty("keyValueCacheBytes").GetInt64());
        Assert.Equal(3, capacity.GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(0, capacity.GetProperty("runningBatches").GetInt32());
        Assert.Equal(0, capacity.GetProperty("generatingRequests").GetInt32());
        Assert.Equal(0, capacity.GetProperty("waitingRequests").GetInt32());
        Assert.Equal(1, capacity.GetProperty("completedBatches").GetInt64());
        Assert.Equal(1, capacity.GetProperty("completedRequests").GetInt64());
    }

    [Fact]
    public async Task A_model_folder_that_fails_to_load_makes_health_503_with_the_reason()
    {
        string missing = Path.Combine(Path.GetTempPath(), "llava-serving-tests", "no-such-model-" + Guid.NewGuid().ToString("N"));
        await using ServingServer server = await ServingServer.StartAsync(TinyServing.EngineOptions() with { ModelPath = missing });
        await Assert.ThrowsAnyAsync<Exception>(server.EngineAsync);

        using HttpResponseMessage response = await server.Client.GetAsync("/api/health");
        JsonElement body = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Contains("Model folder not found", body.GetProperty("error").GetString());
        Assert.Contains(missing, body.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("model").ValueKind);
    }

    [Fact]
    public async Task Health_answers_at_once_while_the_model_is_still_loading()
    {
        TaskCompletionSource never = new();
        await using ServingServer server = await ServingServer.StartAsync(acquireFolder: async (_, cancellationToken) =>
        {
            await never.Task.WaitAsync(cancellationToken);
            return "";
        });
        System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

        using HttpResponseMessage response = await server.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"health took {clock.Elapsed}");
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
