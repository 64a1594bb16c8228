using System.Text.Json.Nodes;
using LlavaFunctions.Host.Tests.Functions;
using LlavaFunctions.Host.Tests.StandIn;

namespace LlavaFunctions.Host.Tests.Failures;

/// <summary>Jobs that meet a model that is not ready: retried by the queue, never lost, poisoned after 5 deliveries.</summary>
public sealed class ModelNotReadyTests : IDisposable
{
    /// <summary>A folder without a model: the worker starts, health says failed, every job delivery throws ModelNotReadyException.</summary>
    private readonly DirectoryInfo _noModel = Directory.CreateTempSubdirectory("llava-no-model-");

    public void Dispose() => _noModel.Delete(recursive: true);

    private Dictionary<string, string> NoModel() => new(StringComparer.Ordinal)
    {
        ["LLAVA_MODEL_PATH"] = _noModel.FullName,
        ["LLAVA_READINESS_TIMEOUT_SECONDS"] = "1",
    };

    [Fact]
    public async Task A_job_that_fails_five_times_goes_to_the_poison_queue_with_a_retries_exhausted_document()
    {
        await using StandInApp app = await StandInApp.StartAsync(NoModel());
        await Payloads.UploadAsync(app.Images, "poison.png", Payloads.Image());
        string jobId = "poison-" + Guid.NewGuid().ToString("N")[..8];

        await app.Jobs.SendMessageAsync(Payloads.Job(jobId, $"{app.Images.Name}/poison.png"));

        string poisoned = await app.EventuallyAsync(
            async () => await app.JobsPoison.ExistsAsync() && (await app.JobsPoison.PeekMessagesAsync()).Value is [var message] ? message.Body.ToString() : null,
            TimeSpan.FromSeconds(120),
            "the message in the poison queue");
        Assert.Contains(jobId, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(poisoned)), StringComparison.Ordinal);
        JsonObject result = (await TriggerTests.ReadJsonAsync(app.Answers.GetBlobClient(jobId + ".json")))!;
        Assert.Equal("failed", (string?)result["status"]);
        Assert.Equal("retries_exhausted", (string?)result["error"]!["code"]);
        Assert.Equal(5, (int?)result["attempts"]);
        Assert.Equal(5, app.Host.Invocations.Count(i => i is { Function: "AnswerQueuedJob", Outcome: InvocationRecord.Failure }));
        Assert.Empty((await app.Jobs.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task A_job_that_arrives_before_the_model_is_ready_is_retried_and_answered_once_it_is()
    {
        await using StandInApp app = await StandInApp.StartAsync(NoModel());
        await Payloads.UploadAsync(app.Images, "early.png", Payloads.Image());
        string jobId = "early-" + Guid.NewGuid().ToString("N")[..8];

        await app.Jobs.SendMessageAsync(Payloads.Job(jobId, $"{app.Images.Name}/early.png"));
        await app.EventuallyAsync(
            () => Task.FromResult(app.Host.Invocations.Count(i => i is { Function: "AnswerQueuedJob", Outcome: InvocationRecord.Failure }) >= 2 ? "retried" : null),
            TimeSpan.FromSeconds(60),
            "two failed deliveries");
        // The model becomes available (a new replica with the model in place).
        await app.Host.RestartWorkerAsync(new Dictionary<string, string> { ["LLAVA_MODEL_PATH"] = StandInApp.ModelPath, ["LLAVA_READINESS_TIMEOUT_SECONDS"] = "60" });

        JsonObject result = await app.EventuallyAsync(() => TriggerTests.ReadJsonAsync(app.Answers.GetBlobClient(jobId + ".json")), TimeSpan.FromSeconds(120), "the answer once the model is ready");
        Assert.Equal("succeeded", (string?)result["status"]);
        Assert.InRange((int?)result["attempts"] ?? 0, 3, 4);
        Assert.False(await app.JobsPoison.ExistsAsync() && (await app.JobsPoison.PeekMessagesAsync()).Value.Length > 0);
    }
}
