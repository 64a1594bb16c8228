using Azure.Storage.Queues.Models;
using LlavaFunctions.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace LlavaFunctions.Jobs;

/// <summary>Answers one VQA job from the jobs queue (base64-encoded JSON messages; see <see cref="VqaJobMessage"/>).</summary>
public sealed class AnswerQueuedJob(JobService jobs)
{
    [Function(nameof(AnswerQueuedJob))]
    public Task RunAsync(
        [QueueTrigger("%LLAVA_JOBS_QUEUE%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.InsertedOn is DateTimeOffset inserted)
        {
            FunctionsTelemetry.RecordQueueLatency(DateTimeOffset.UtcNow - inserted);
        }

        return jobs.ProcessAsync(message.MessageText, message.MessageId, message.DequeueCount, cancellationToken);
    }
}
