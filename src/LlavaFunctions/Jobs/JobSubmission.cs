using Azure.Storage.Queues;
using LlavaFunctions.Configuration;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Jobs;

/// <summary>
/// Accepts jobs over HTTP: records them as <c>queued</c> in the answers container, then enqueues the message
/// with the queue trigger's encoding (base64). The result document exists before the message does, so a
/// caller polling the job never sees a 404 for a job it was told was accepted.
/// </summary>
public sealed class JobSubmission(StorageAccount storage, JobService jobs, LlavaAppOptions options)
{
    public async Task<(VqaJobResult? Accepted, IReadOnlyList<string> Problems)> SubmitAsync(VqaJobMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        VqaJobMessage job = request.JobId is null ? request with { JobId = Guid.NewGuid().ToString("N") } : request;
        IReadOnlyList<string> problems = VqaJobValidator.Check(job);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        VqaJobResult? existing = await jobs.GetAsync(job.JobId!, cancellationToken);
        if (existing is not null)
        {
            // Idempotent on job id: resubmitting returns the job as it stands.
            return (existing, []);
        }

        VqaJobResult queued = new() { JobId = job.JobId!, Status = VqaJobResult.Queued, Image = job.Image, CreatedUtc = DateTimeOffset.UtcNow };
        await JsonDocuments.WriteAsync(jobs.ResultBlob(job.JobId!), queued, cancellationToken);
        QueueClient queue = storage.Queues.GetQueueClient(options.JobsQueue);
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(job, JsonDocuments.Options).ToString(), cancellationToken);
        return (queued, []);
    }
}
