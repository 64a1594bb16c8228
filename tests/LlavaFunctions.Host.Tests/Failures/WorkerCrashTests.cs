using System.Text.Json.Nodes;
using LlavaFunctions.Host.Tests.Functions;
using LlavaFunctions.Host.Tests.StandIn;

namespace LlavaFunctions.Host.Tests.Failures;

/// <summary>A worker that dies in the middle of a job: the queue gives the message back and a new worker answers it once.</summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_worker_killed_mid_job_leaves_the_message_to_reappear_and_it_is_answered_exactly_once()
    {
        await using StandInApp app = await StandInApp.StartAsync();
        await Payloads.UploadAsync(app.Images, "long.png", Payloads.Image());
        string jobId = "crash-" + Guid.NewGuid().ToString("N")[..8];
        int killed = 0;
        app.Host.InvocationSent = (function, workerId) =>
        {
            if (function == "AnswerQueuedJob" && Interlocked.Exchange(ref killed, 1) == 0)
            {
                _ = KillWhenGeneratingAsync(app);
            }
        };

        // Four long answers, asked one after another (up to 3,000 tokens each, seconds even on a tiny model), so the
        // health poll sees the job running on a busy CI machine: with one answer the poll, itself a function
        // invocation competing for the two cores, once missed it entirely.
        await app.Jobs.SendMessageAsync(Payloads.Job(jobId, $"{app.Images.Name}/long.png", 3000, "What is in the picture?", "Describe it in detail.", "Which colours do you see?", "Tell a long story about it."));

        JsonObject result = await app.EventuallyAsync(() => TriggerTests.ReadJsonAsync(app.Answers.GetBlobClient(jobId + ".json")), TimeSpan.FromSeconds(150), "the answer after the crash");
        Assert.Equal("succeeded", (string?)result["status"]);
        Assert.Equal(2, (int?)result["attempts"]);
        await app.EventuallyAsync(() => Task.FromResult(app.Host.Invocations.Count(i => i.Function == "AnswerQueuedJob") >= 2 ? "both" : null), TimeSpan.FromSeconds(30), "both invocations to be recorded");
        InvocationRecord[] invocations = [.. app.Host.Invocations.Where(i => i.Function == "AnswerQueuedJob")];
        Assert.Equal([InvocationRecord.WorkerUnavailable, InvocationRecord.Success], invocations.Select(i => i.Outcome));
        Assert.NotEqual(invocations[0].WorkerId, invocations[1].WorkerId);
        Assert.Empty((await app.Jobs.PeekMessagesAsync()).Value);
        Assert.False(await app.JobsPoison.ExistsAsync() && (await app.JobsPoison.PeekMessagesAsync()).Value.Length > 0);
    }

    /// <summary>Kills the worker once its health says a generation is in flight: the job is running, not merely sent.</summary>
    private static async Task KillWhenGeneratingAsync(StandInApp app)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        while (!timeout.IsCancellationRequested)
        {
            JsonNode? health = JsonNode.Parse(await app.Http.GetStringAsync(new Uri("api/health", UriKind.Relative), timeout.Token));
            if ((int?)health?["inFlight"] > 0)
            {
                app.Host.KillWorker();
                return;
            }

            await Task.Delay(2, timeout.Token);
        }
    }
}
