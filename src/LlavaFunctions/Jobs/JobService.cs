using Azure;
using Azure.Storage.Blobs;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;
using Llava.Serving.Hosting;
using Llava.Serving.Http;
using LlavaFunctions.Captioning;
using LlavaFunctions.Configuration;
using LlavaFunctions.Storage;
using LlavaFunctions.Telemetry;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Jobs;

/// <summary>
/// Answers queued VQA jobs. Idempotent on job id (a finished result is never recomputed); a malformed message
/// becomes a failed result with the reason instead of looping; an image or prompt that can never work fails
/// the job; transient failures (storage, model not ready, engine busy) throw so the queue redelivers, and on
/// the last attempt the result says so before the host moves the message to the poison queue.
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
            string id = VqaJobValidator.IsValidJobId(job?.JobId) ? job!.JobId! : $"invalid-{messageId}";
            Log.Malformed(logger, messageId, id);
            return await FinishAsync(Failed(id, job?.Image, "malformed_message", string.Join(" ", problems), dequeueCount), cancellationToken);
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
        catch (Exception ex) when (IsTransient(ex) && RecordTransient(ex) && dequeueCount >= options.MaxDequeueCount)
        {
            // Last delivery: say so in the result, then let the host move the message to the poison queue.
            await FinishAsync(Failed(jobId, job.Image, "retries_exhausted", $"Gave up after {dequeueCount} attempts ({ex.Message}); the message is in the poison queue and can be replayed.", dequeueCount), cancellationToken);
            throw;
        }
    }

    private static bool RecordTransient(Exception exception)
    {
        FunctionsTelemetry.RecordOutcome(nameof(AnswerQueuedJob), $"transient:{exception.GetType().Name}");
        return true;
    }

    /// <summary>Queued, transient conditions; everything else is a property of the job itself.</summary>
    public static bool IsTransient(Exception exception) =>
        exception is ModelNotReadyException or EngineBusyException or RequestFailedException or TimeoutException or HttpRequestException
            or ImageReferenceException { Failure: ImageReferenceFailure.Unavailable };

    private async Task<VqaJobResult> AnswerAsync(VqaJobMessage job, long dequeueCount, CancellationToken cancellationToken)
    {
        string jobId = job.JobId!;
        byte[] image;
        try
        {
            image = await images.FetchAsync(job.Image!, cancellationToken);
        }
        catch (ImageReferenceException ex) when (ex.Failure != ImageReferenceFailure.Unavailable)
        {
            return await FinishAsync(Failed(jobId, job.Image, "image_unavailable", ex.Message, dequeueCount), cancellationToken);
        }

        LlavaEngine engine = await model.GetEngineAsync(options.ReadinessTimeout, cancellationToken);
        GenerationOptions generation = (job.Options ?? new JobGenerationOptions()).ToGenerationOptions();
        List<VqaAnswer> answers = [];
        try
        {
            foreach (string question in job.Questions!)
            {
                List<PromptMessage> messages = [];
                if (!string.IsNullOrWhiteSpace(job.System))
                {
                    messages.Add(PromptMessage.System(job.System));
                }

                messages.Add(PromptMessage.User(image, question));
                GenerationResult result = await engine.GenerateAsync(messages, generation, cancellationToken);
                FunctionsTelemetry.RecordGeneration(nameof(AnswerQueuedJob), result);
                answers.Add(new VqaAnswer(question, result.Text.Trim(), result.FinishReason, result.Usage, CaptionService.TimingsMs(result.Timings)));
            }
        }
        catch (Exception ex) when (ex is ImageRejectedException or PromptTooLongException or InvalidPromptException)
        {
            string code = ex is ImageRejectedException rejected ? $"image_{rejected.Reason.ToString().ToLowerInvariant()}" : ex is PromptTooLongException ? "too_many_tokens" : "invalid_prompt";
            return await FinishAsync(Failed(jobId, job.Image, code, ex.Message, dequeueCount), cancellationToken);
        }

        return await FinishAsync(
            new VqaJobResult
            {
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

    private static VqaJobResult Failed(string jobId, string? image, string code, string message, long attempts) => new()
    {
        JobId = jobId,
        Status = VqaJobResult.Failed,
        Image = image,
        Error = new DocumentError(code, message),
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
    }
}
