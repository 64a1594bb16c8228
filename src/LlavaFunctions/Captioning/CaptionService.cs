using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Serving.Hosting;
using Llava.Serving.Results;
using LlavaFunctions.Configuration;
using LlavaFunctions.Failures;
using LlavaFunctions.Storage;
using LlavaFunctions.Telemetry;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Captioning;

/// <summary>
/// Captions one uploaded image. Idempotent per blob version: the caption document records the source ETag, so
/// a redelivered event for a version already captioned does nothing but repair the index tags, and a re-upload
/// (new ETag) is captioned again. The size check, the download (conditional on the ETag) and the document all
/// belong to one version; a blob replaced in between is read again. Failures are sorted by
/// <see cref="FailureClassifier"/>: an image that can never be captioned gets a failed document and the event
/// completes; anything else throws so the host redelivers, counting attempts per version in the index tags, and
/// the last attempt (host.json's <c>poisonBlobThreshold</c>) writes a <c>retries_exhausted</c> document first.
/// Tags, unlike metadata, do not change the blob's ETag, so recording cannot retrigger.
/// </summary>
public sealed partial class CaptionService(StorageAccount storage, ModelHost model, LlavaAppOptions options, ILogger<CaptionService> logger)
{
    public const string StatusTag = "llava-status";
    public const string EtagTag = "llava-etag";
    public const string AttemptsTag = "llava-attempts";

    /// <summary>The status tag of a version whose earlier deliveries failed and that is waiting for the next.</summary>
    public const string Retrying = "retrying";

    /// <summary>A test hook run between the size check and the download.</summary>
    internal Func<BlobClient, CancellationToken, Task>? BeforeDownload { get; init; }

    public async Task<CaptionOutcome> CaptionAsync(BlobClient source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await CaptionCurrentVersionAsync(source, cancellationToken);
            }
            catch (RequestFailedException ex) when (ImageBlobs.IsReplaced(ex) && attempt < ImageBlobs.MaxVersionAttempts)
            {
                // Overwritten between the size check and the download: caption the version that is there now.
                Log.Replaced(logger, source.Name);
            }
        }
    }

    private async Task<CaptionOutcome> CaptionCurrentVersionAsync(BlobClient source, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await source.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Log.SourceMissing(logger, source.Name);
            return CaptionOutcome.SourceMissing;
        }

        string etag = properties.ETag.ToString();
        BlobClient target = storage.Blobs.GetBlobContainerClient(options.CaptionsContainer).GetBlobClient(source.Name + ".json");
        CaptionDocument? existing = await JsonDocuments.ReadAsync<CaptionDocument>(target, cancellationToken);
        if (existing?.SourceEtag == etag)
        {
            // A redelivery. The earlier delivery may have stopped between the document and the tags.
            if (await TagAsync(source, existing.Status, etag, attempts: null, cancellationToken) == TagWrite.Repaired)
            {
                Log.TagsRepaired(logger, source.Name, etag);
            }

            Log.AlreadyDone(logger, source.Name, etag);
            FunctionsTelemetry.RecordOutcome(nameof(CaptionOnUpload), "already_done");
            return CaptionOutcome.AlreadyDone;
        }

        CaptionDocument document;
        CaptionOutcome outcome;
        try
        {
            document = await CaptionVersionAsync(source, properties, etag, cancellationToken);
            outcome = CaptionOutcome.Captioned;
        }
        catch (Exception ex) when (!IsReplacedOrCancelled(ex, cancellationToken) && FailureClassifier.Classify(ex) == FailureKind.Permanent)
        {
            document = Failure(source, properties, etag, FailureClassifier.ToDocumentError(ex));
            outcome = CaptionOutcome.Rejected;
        }
        catch (Exception ex) when (!IsReplacedOrCancelled(ex, cancellationToken))
        {
            await RecordFailedAttemptAsync(source, properties, etag, target, ex, cancellationToken);
            throw;
        }

        await JsonDocuments.WriteAsync(target, document, cancellationToken);
        await TagAsync(source, document.Status, etag, attempts: null, cancellationToken);
        Log.Done(logger, source.Name, etag, outcome);
        FunctionsTelemetry.RecordOutcome(nameof(CaptionOnUpload), document.Error is { } error ? $"rejected:{error.Code}" : "captioned");
        return outcome;
    }

    private async Task<CaptionDocument> CaptionVersionAsync(BlobClient source, BlobProperties properties, string etag, CancellationToken cancellationToken)
    {
        byte[] image = await ImageBlobs.DownloadVersionAsync(source, properties, options.MaxImageBytes, BeforeDownload, cancellationToken);
        LlavaEngine engine = await model.GetEngineAsync(options.ReadinessTimeout, cancellationToken);
        GenerationResult result = await engine.AskAsync(image, options.CaptionPrompt, new GenerationOptions { MaxNewTokens = options.CaptionMaxTokens }, cancellationToken);
        (int? width, int? height) = Dimensions(image);
        return CaptionDocument.ForCaption(source.Uri.AbsolutePath, etag, properties.ContentType, width, height, result, engine.Manifest.Variant, engine.Manifest.Precision);
    }

    /// <summary>
    /// Counts this failed delivery of this version in the tags; on the last one (the host then moves the event to
    /// the poison container) writes the <c>retries_exhausted</c> document. Best effort: when storage itself is
    /// failing nothing can be recorded, and the original failure is what the host must see.
    /// </summary>
    private async Task RecordFailedAttemptAsync(BlobClient source, BlobProperties properties, string etag, BlobClient target, Exception failure, CancellationToken cancellationToken)
    {
        FunctionsTelemetry.RecordOutcome(nameof(CaptionOnUpload), $"transient:{failure.GetType().Name}");
        try
        {
            IDictionary<string, string> tags = (await source.GetTagsAsync(cancellationToken: cancellationToken)).Value.Tags;
            int attempts = tags.TryGetValue(EtagTag, out string? tagged) && tagged == etag.Trim('"') && tags.TryGetValue(AttemptsTag, out string? counted) && int.TryParse(counted, out int before)
                ? before + 1
                : 1;
            if (attempts >= options.PoisonBlobThreshold)
            {
                CaptionDocument document = Failure(source, properties, etag, FailureClassifier.RetriesExhausted(failure, attempts, "upload event is in the poison container (webjobs-blobtrigger-poison)"));
                await JsonDocuments.WriteAsync(target, document, cancellationToken);
                await TagAsync(source, document.Status, etag, attempts, cancellationToken);
                Log.RetriesExhausted(logger, failure, source.Name, etag, attempts);
            }
            else
            {
                await TagAsync(source, Retrying, etag, attempts, cancellationToken);
                Log.AttemptFailed(logger, failure, source.Name, etag, attempts, options.PoisonBlobThreshold);
            }
        }
        catch (RequestFailedException recording)
        {
            Log.AttemptNotRecorded(logger, recording, source.Name, etag);
        }
    }

    /// <summary>Sets this app's tags on the source blob (keeping anyone else's) unless they already say so; only on this version.</summary>
    private static async Task<TagWrite> TagAsync(BlobClient source, string status, string etag, int? attempts, CancellationToken cancellationToken)
    {
        try
        {
            IDictionary<string, string> current = (await source.GetTagsAsync(cancellationToken: cancellationToken)).Value.Tags;
            Dictionary<string, string> wanted = current.Where(tag => tag.Key is not (StatusTag or EtagTag or AttemptsTag)).ToDictionary(tag => tag.Key, tag => tag.Value, StringComparer.Ordinal);
            wanted[StatusTag] = status;
            wanted[EtagTag] = etag.Trim('"');
            if (attempts is int count)
            {
                wanted[AttemptsTag] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (wanted.Count == current.Count && wanted.All(tag => current.TryGetValue(tag.Key, out string? value) && value == tag.Value))
            {
                return TagWrite.AlreadySet;
            }

            await source.SetTagsAsync(wanted, new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellationToken);
            return TagWrite.Repaired;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // The blob was replaced or deleted after we captioned it; the newer version gets its own event.
            return TagWrite.SourceChanged;
        }
    }

    private static bool IsReplacedOrCancelled(Exception exception, CancellationToken cancellationToken) =>
        (exception is RequestFailedException storageError && ImageBlobs.IsReplaced(storageError))
        || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static CaptionDocument Failure(BlobClient source, BlobProperties properties, string etag, DocumentError error) => new()
    {
        Version = CaptionDocument.CurrentVersion,
        Status = CaptionDocument.Failed,
        Source = source.Uri.AbsolutePath,
        SourceEtag = etag,
        ContentType = properties.ContentType,
        Error = error,
        CreatedUtc = DateTimeOffset.UtcNow,
    };

    private static (int? Width, int? Height) Dimensions(byte[] image)
    {
        SixLabors.ImageSharp.IImageInfo? info = SixLabors.ImageSharp.Image.Identify(image);
        return info is null ? (null, null) : (info.Width, info.Height);
    }

    private enum TagWrite
    {
        AlreadySet,
        Repaired,
        SourceChanged,
    }

    // Event ids 500-599: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(501, LogLevel.Information, "Captioning skipped: {Blob} was deleted")]
        public static partial void SourceMissing(ILogger logger, string blob);

        [LoggerMessage(502, LogLevel.Information, "Captioning skipped: {Blob} version {ETag} already has its document")]
        public static partial void AlreadyDone(ILogger logger, string blob, string etag);

        [LoggerMessage(503, LogLevel.Information, "Caption of {Blob} version {ETag}: {Outcome}")]
        public static partial void Done(ILogger logger, string blob, string etag, CaptionOutcome outcome);

        [LoggerMessage(504, LogLevel.Warning, "Index tags of {Blob} version {ETag} were missing or stale on a redelivery; repaired")]
        public static partial void TagsRepaired(ILogger logger, string blob, string etag);

        [LoggerMessage(505, LogLevel.Information, "{Blob} was replaced while it was being read; reading the new version")]
        public static partial void Replaced(ILogger logger, string blob);

        [LoggerMessage(506, LogLevel.Warning, "Caption of {Blob} version {ETag} failed on attempt {Attempt} of {MaxAttempts}; the event will be redelivered")]
        public static partial void AttemptFailed(ILogger logger, Exception exception, string blob, string etag, int attempt, int maxAttempts);

        [LoggerMessage(507, LogLevel.Error, "Caption of {Blob} version {ETag} failed on its last attempt ({Attempt}); recorded as retries_exhausted")]
        public static partial void RetriesExhausted(ILogger logger, Exception exception, string blob, string etag, int attempt);

        [LoggerMessage(508, LogLevel.Warning, "Could not record the failed caption attempt of {Blob} version {ETag}")]
        public static partial void AttemptNotRecorded(ILogger logger, Exception exception, string blob, string etag);
    }
}
