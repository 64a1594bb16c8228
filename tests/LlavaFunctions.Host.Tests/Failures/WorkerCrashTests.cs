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
        TaskCompletionSource<Task<bool>> killer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Host.InvocationSent = (function, workerId) =>
        {
            if (function == "AnswerQueuedJob" && Interlocked.Exchange(ref killed, 1) == 0)
            {
                killer.SetResult(KillWhenGeneratingAsync(app));
            }
        };

        // A long answer (~3,000 tokens, seconds even on a tiny model) so the health poll sees it running on a busy CI machine.
        await app.Jobs.SendMessageAsync(Payloads.Job(jobId, $"{app.Images.Name}/long.png", 3000));

        JsonObject result = await app.EventuallyAsync(() => TriggerTests.ReadJsonAsync(app.Answers.GetBlobClient(jobId + ".json")), TimeSpan.FromSeconds(150), "the answer after the crash");
        Assert.True(await await killer.Task, "The worker was never seen generating, so it was not killed.");
        Assert.Equal("succeeded", (string?)result["status"]);
        Assert.Equal(2, (int?)result["attempts"]);
        await app.EventuallyAsync(() => Task.FromResult(app.Host.Invocations.Count(i => i.Function == "AnswerQueuedJob") >= 2 ? "both" : null), TimeSpan.FromSeconds(30), "both invocations to be recorded");
        InvocationRecord[] invocations = [.. app.Host.Invocations.Where(i => i.Function == "AnswerQueuedJob")];
        Assert.Equal([InvocationRecord.WorkerUnavailable, InvocationRecord.Success], invocations.Select(i => i.Outcome));
        Assert.NotEqual(invocations[0].WorkerId, invocations[1].WorkerId);
        Assert.Empty((await app.Jobs.PeekMessagesAsync()).Value);
        Assert.False(await app.JobsPoison.ExistsAsync() && (await app.JobsPoison.PeekMessagesAsync()).Value.Length > 0);
    }

    /// <summary>
    /// Kills the worker once its health says a generation is in flight: the job is running, not merely sent. Health
    /// answers 503 while the model is still loading (as it is on a busy machine when the job arrives): that is read as
    /// "not yet", not as a failure. Returns whether it killed.
    /// </summary>
    private static async Task<bool> KillWhenGeneratingAsync(StandInApp app)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        while (!timeout.IsCancellationRequested)
        {
            using HttpResponseMessage response = await app.Http.GetAsync(new Uri("api/health", UriKind.Relative), timeout.Token);
            JsonNode? health = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            if ((int?)health?["inFlight"] > 0)
            {
                app.Host.KillWorker();
                return true;
            }

            await Task.Delay(2, timeout.Token);
        }

        return false;
    }
}
