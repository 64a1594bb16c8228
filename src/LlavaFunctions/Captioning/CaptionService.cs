using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Serving.Hosting;
using LlavaFunctions.Configuration;
using LlavaFunctions.Storage;
using LlavaFunctions.Telemetry;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Captioning;

/// <summary>
/// Captions one uploaded image. Idempotent per blob version: the caption document records the source ETag, so
/// a redelivered event for a version already captioned does nothing, and a re-upload (new ETag) is captioned
/// again. Images that can never be captioned get an error document and complete; transient failures (storage,
/// model not ready, engine busy) throw so the trigger retries, and the host's poison handling keeps the event.
/// The outcome is also recorded on the source blob as index tags, which (unlike metadata) do not change its ETag.
/// </summary>
public sealed partial class CaptionService(StorageAccount storage, ModelHost model, LlavaAppOptions options, ILogger<CaptionService> logger)
{
    public const string StatusTag = "llava-status";
    public const string EtagTag = "llava-etag";

    public async Task<CaptionOutcome> CaptionAsync(BlobClient source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
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
            Log.AlreadyDone(logger, source.Name, etag);
            FunctionsTelemetry.RecordOutcome(nameof(CaptionOnUpload), "already_done");
            return CaptionOutcome.AlreadyDone;
        }

        CaptionDocument document;
        CaptionOutcome outcome;
        if (properties.ContentLength > options.MaxImageBytes)
        {
            document = Failure(source, properties, etag, "too_large", $"The image has {properties.ContentLength} bytes; the limit is {options.MaxImageBytes}.");
            outcome = CaptionOutcome.Rejected;
        }
        else
        {
            // Only this version: if the blob is overwritten meanwhile, the download fails and the new upload's event captions it.
            BlobDownloadResult download = (await source.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken)).Value;
            byte[] image = download.Content.ToArray();
            LlavaEngine engine = await model.GetEngineAsync(options.ReadinessTimeout, cancellationToken);
            try
            {
                GenerationResult result = await engine.AskAsync(image, options.CaptionPrompt, new GenerationOptions { MaxNewTokens = options.CaptionMaxTokens }, cancellationToken);
                FunctionsTelemetry.RecordGeneration(nameof(CaptionOnUpload), result);
                (int? width, int? height) = Dimensions(image);
                document = new CaptionDocument
                {
                    Status = CaptionDocument.Captioned,
                    Source = source.Uri.AbsolutePath,
                    SourceEtag = etag,
                    ContentType = properties.ContentType,
                    Width = width,
                    Height = height,
                    Caption = result.Text.Trim(),
                    Model = engine.Manifest.Variant,
                    Precision = engine.Manifest.Precision,
                    FinishReason = result.FinishReason,
                    Usage = result.Usage,
                    TimingsMs = TimingsMs(result.Timings),
                    CreatedUtc = DateTimeOffset.UtcNow,
                };
                outcome = CaptionOutcome.Captioned;
            }
            catch (ImageRejectedException ex)
            {
                document = Failure(source, properties, etag, ex.Reason.ToString().ToLowerInvariant(), ex.Message);
                outcome = CaptionOutcome.Rejected;
            }
            catch (PromptTooLongException ex)
            {
                document = Failure(source, properties, etag, "too_many_tokens", ex.Message);
                outcome = CaptionOutcome.Rejected;
            }
        }

        await JsonDocuments.WriteAsync(target, document, cancellationToken);
        await TagAsync(source, document.Status, etag, cancellationToken);
        Log.Done(logger, source.Name, etag, outcome);
        FunctionsTelemetry.RecordOutcome(nameof(CaptionOnUpload), document.Error is { } error ? $"rejected:{error.Code}" : "captioned");
        return outcome;
    }

    private static async Task TagAsync(BlobClient source, string status, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await source.SetTagsAsync(
                new Dictionary<string, string> { [StatusTag] = status, [EtagTag] = etag.Trim('"') },
                new BlobRequestConditions { IfMatch = new ETag(etag) },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // The blob was replaced or deleted after we captioned it; the newer version gets its own event.
        }
    }

    private static CaptionDocument Failure(BlobClient source, BlobProperties properties, string etag, string code, string message) => new()
    {
        Status = CaptionDocument.Failed,
        Source = source.Uri.AbsolutePath,
        SourceEtag = etag,
        ContentType = properties.ContentType,
        Error = new DocumentError(code, message),
        CreatedUtc = DateTimeOffset.UtcNow,
    };

    private static (int? Width, int? Height) Dimensions(byte[] image)
    {
        SixLabors.ImageSharp.IImageInfo? info = SixLabors.ImageSharp.Image.Identify(image);
        return info is null ? (null, null) : (info.Width, info.Height);
    }

    internal static Dictionary<string, double> TimingsMs(GenerationTimings timings) => new()
    {
        ["preprocess"] = timings.Preprocess.TotalMilliseconds,
        ["queue"] = timings.QueueWait.TotalMilliseconds,
        ["timeToFirstToken"] = timings.TimeToFirstToken.TotalMilliseconds,
        ["decode"] = timings.Decode.TotalMilliseconds,
        ["tokensPerSecond"] = timings.DecodeTokensPerSecond,
    };

    // Event ids 500-599: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(501, LogLevel.Information, "Captioning skipped: {Blob} was deleted")]
        public static partial void SourceMissing(ILogger logger, string blob);

        [LoggerMessage(502, LogLevel.Information, "Captioning skipped: {Blob} version {ETag} already has its document")]
        public static partial void AlreadyDone(ILogger logger, string blob, string etag);

        [LoggerMessage(503, LogLevel.Information, "Caption of {Blob} version {ETag}: {Outcome}")]
        public static partial void Done(ILogger logger, string blob, string etag, CaptionOutcome outcome);
    }
}
