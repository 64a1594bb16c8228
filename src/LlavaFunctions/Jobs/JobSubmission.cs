using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Configuration;
using LlavaFunctions.Storage;
using Microsoft.AspNetCore.Http;

namespace LlavaFunctions.Jobs;

/// <summary>
/// Accepts jobs over HTTP, all or nothing. Everything that can refuse a job (its fields, its options, its size on
/// the queue after base64 encoding) is checked before anything is written; then the job is recorded as
/// <c>queued</c> (so a caller polling it never sees a 404) and enqueued, and if the enqueue fails the record is
/// removed again, so there is never a <c>queued</c> document without a message.
/// </summary>
public sealed class JobSubmission(StorageAccount storage, JobService jobs, LlavaAppOptions options)
{
    /// <summary>The accepted job as it stands (a resubmitted job id returns the existing document).</summary>
    /// <exception cref="HttpApiException">400 naming every invalid field, or 413 when the job does not fit in a queue message.</exception>
    public async Task<VqaJobResult> SubmitAsync(VqaJobMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        VqaJobMessage job = request.JobId is null ? request with { JobId = Guid.NewGuid().ToString("N") } : request;
        IReadOnlyList<string> problems = VqaJobValidator.Check(job);
        if (problems.Count > 0)
        {
            throw new HttpApiException(ApiErrorCodes.InvalidRequest, string.Join(" ", problems));
        }

        JobQueueMessage message = JobQueueMessage.From(job);
        if (!message.Fits)
        {
            throw new HttpApiException(ApiErrorCodes.RequestTooLarge,
                $"The job is {message.EncodedBytes} bytes as a queue message (base64); a queue message holds at most {JobQueueMessage.MaxEncodedBytes}. Use fewer or shorter questions.");
        }

        VqaJobResult? existing = await jobs.GetAsync(job.JobId!, cancellationToken);
        if (existing is not null)
        {
            // Idempotent on job id: resubmitting returns the job as it stands.
            return existing;
        }

        VqaJobResult queued = new() { Version = VqaJobResult.CurrentVersion, JobId = job.JobId!, Status = VqaJobResult.Queued, Image = job.Image, CreatedUtc = DateTimeOffset.UtcNow };
        ETag recorded;
        try
        {
            // Only if absent: a concurrent submission of the same id, or its finished result, is never overwritten.
            recorded = await JsonDocuments.WriteAsync(jobs.ResultBlob(job.JobId!), queued, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            return await jobs.GetAsync(job.JobId!, cancellationToken) ?? throw new InvalidOperationException($"Job {job.JobId} was recorded concurrently and then removed.", ex);
        }

        QueueClient queue = storage.Queues.GetQueueClient(options.JobsQueue);
        try
        {
            await queue.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        }
        catch (Exception sendFailure)
        {
            // Compensate: without its message the record would say queued for ever. Only our own record (If-Match),
            // and even when the caller has gone away (no cancellation).
            try
            {
                await jobs.ResultBlob(job.JobId!).DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = recorded }, cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException deleteFailure)
            {
                throw new AggregateException($"Job {job.JobId} could not be enqueued, and its queued document could not be removed.", sendFailure, deleteFailure);
            }

            throw;
        }

        return queued;
    }
}
