using Azure.Storage.Blobs;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;
using LlavaFunctions.Configuration;
using LlavaFunctions.Failures;
using LlavaFunctions.Storage;
using LlavaFunctions.Telemetry;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Jobs;

/// <summary>
/// Answers queued VQA jobs. Idempotent on job id (a finished result is never recomputed or overwritten). Every
/// message is validated as <c>POST /api/jobs</c> validates it, so a malformed one becomes a failed result with the
/// reason instead of looping. Failures are sorted by <see cref="FailureClassifier"/>: a job that can never work
/// (its image, prompt or options) fails at once with the HTTP API's error code; anything else throws so the queue
/// redelivers, and on the last delivery (host.json's <c>maxDequeueCount</c>) the result says
/// <c>retries_exhausted</c> before the host moves the message to the poison queue.
/// </summary>
public sealed partial class JobService(StorageAccount storage, ModelHost model, OwnStorageImages images, LlavaAppOptions options, ILogger<JobService> logger)
{
    public BlobClient ResultBlob(string jobId) => storage.Blobs.GetBlobContainerClient(options.AnswersContainer).GetBlobClient(jobId + ".json");

    public Task<VqaJobResult?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        JsonDocuments.ReadAsync<VqaJobResult>(ResultBlob(jobId), cancellationToken);

    public async Task<VqaJobResult> ProcessAsync(string messageText, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        (VqaJobMessage? job, IReadOnlyList<string> problems) = VqaJobValidator.Parse(messageText);
        if (job is null || problems.Count > 0)
        {
            string id = VqaJobValidator.IsValidJobId(job?.JobId) ? job!.JobId! : VqaJobValidator.SalvageJobId(messageText) ?? $"invalid-{messageId}";
            if (await GetAsync(id, cancellationToken) is { IsFinal: true } finished)
            {
                // A bad copy of a finished job must not overwrite its result.
                Log.AlreadyDone(logger, id, finished.Status);
                return finished;
            }

            Log.Malformed(logger, messageId, id);
            string code = job is null ? ApiErrorCodes.InvalidJson : ApiErrorCodes.InvalidRequest;
            return await FinishAsync(Failed(id, job?.Image, new DocumentError(code, string.Join(" ", problems)), dequeueCount), cancellationToken);
        }

        string jobId = job.JobId!;
        VqaJobResult? existing = await GetAsync(jobId, cancellationToken);
        if (existing is { IsFinal: true })
        {
            Log.AlreadyDone(logger, jobId, existing.Status);
            return existing;
        }

        try
        {
            return await AnswerAsync(job, dequeueCount, cancellationToken);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken) && FailureClassifier.Classify(ex) == FailureKind.Permanent)
        {
            return await FinishAsync(Failed(jobId, job.Image, FailureClassifier.ToDocumentError(ex), dequeueCount), cancellationToken);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken) && RecordRetry(ex, jobId, dequeueCount) && dequeueCount >= options.MaxDequeueCount)
        {
            // Last delivery: say so in the result, then let the host move the message to the poison queue.
            DocumentError error = FailureClassifier.RetriesExhausted(ex, dequeueCount, $"message is in the poison queue ({options.JobsQueue}-poison)");
            await FinishAsync(Failed(jobId, job.Image, error, dequeueCount), cancellationToken);
            throw;
        }
    }

    private bool RecordRetry(Exception exception, string jobId, long dequeueCount)
    {
        FunctionsTelemetry.RecordOutcome(nameof(AnswerQueuedJob), $"transient:{exception.GetType().Name}");
        Log.AttemptFailed(logger, exception, jobId, dequeueCount, options.MaxDequeueCount);
        return true;
    }

    private static bool IsCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;

    /// <summary>Answers every question; any failure propagates to <see cref="ProcessAsync"/>, which sorts it.</summary>
    private async Task<VqaJobResult> AnswerAsync(VqaJobMessage job, long dequeueCount, CancellationToken cancellationToken)
    {
        string jobId = job.JobId!;
        byte[] image = await images.FetchAsync(job.Image!, cancellationToken);
        LlavaEngine engine = await model.GetEngineAsync(options.ReadinessTimeout, cancellationToken);
        GenerationOptions generation = (job.Options ?? new JobGenerationOptions()).ToGenerationOptions();
        List<VqaAnswer> answers = [];
        foreach (string question in job.Questions!)
        {
            List<PromptMessage> messages = [];
            if (!string.IsNullOrWhiteSpace(job.System))
            {
                messages.Add(PromptMessage.System(job.System));
            }

            messages.Add(PromptMessage.User(image, question));
            GenerationResult result = await engine.GenerateAsync(messages, generation, cancellationToken);
            answers.Add(VqaAnswer.From(question, result));
        }

        return await FinishAsync(
            new VqaJobResult
            {
                Version = VqaJobResult.CurrentVersion,
                JobId = jobId,
                Status = VqaJobResult.Succeeded,
                Image = job.Image,
                Answers = answers,
                Model = engine.Manifest.Variant,
                Attempts = dequeueCount,
                CreatedUtc = DateTimeOffset.UtcNow,
                CompletedUtc = DateTimeOffset.UtcNow,
            },
            cancellationToken);
    }

    private async Task<VqaJobResult> FinishAsync(VqaJobResult result, CancellationToken cancellationToken)
    {
        await JsonDocuments.WriteAsync(ResultBlob(result.JobId), result, cancellationToken);
        Log.Finished(logger, result.JobId, result.Status, result.Error?.Code);
        FunctionsTelemetry.RecordOutcome(nameof(AnswerQueuedJob), result.Error is { } error ? $"failed:{error.Code}" : result.Status);
        return result;
    }

    private static VqaJobResult Failed(string jobId, string? image, DocumentError error, long attempts) => new()
    {
        Version = VqaJobResult.CurrentVersion,
        JobId = jobId,
        Status = VqaJobResult.Failed,
        Image = image,
        Error = error,
        Attempts = attempts,
        CreatedUtc = DateTimeOffset.UtcNow,
        CompletedUtc = DateTimeOffset.UtcNow,
    };

    // Event ids 600-699: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(601, LogLevel.Warning, "Job message {MessageId} is malformed; recorded as failed job {JobId}")]
        public static partial void Malformed(ILogger logger, string messageId, string jobId);

        [LoggerMessage(602, LogLevel.Information, "Job {JobId} already finished ({Status}); redelivery ignored")]
        public static partial void AlreadyDone(ILogger logger, string jobId, string status);

        [LoggerMessage(603, LogLevel.Information, "Job {JobId} {Status} {ErrorCode}")]
        public static partial void Finished(ILogger logger, string jobId, string status, string? errorCode);

        [LoggerMessage(604, LogLevel.Warning, "Job {JobId} failed on delivery {Attempt} of {MaxAttempts}")]
        public static partial void AttemptFailed(ILogger logger, Exception exception, string jobId, long attempt, int maxAttempts);
    }
}
