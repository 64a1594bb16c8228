using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Serving.Http.Requests;

namespace LlavaFunctions.Storage;

/// <summary>
/// Reads one version of an image blob: the size is checked on the properties of that version and the download
/// is conditional on its ETag, so a blob replaced in between fails with 412 instead of giving the bytes of a
/// version nobody checked (or recording them under the old ETag).
/// </summary>
public static class ImageBlobs
{
    /// <summary>How often a blob that keeps being replaced is read again before the reader gives up (transiently).</summary>
    public const int MaxVersionAttempts = 3;

    /// <summary>The bytes of the version <paramref name="properties"/> describe.</summary>
    /// <param name="blob">The image.</param>
    /// <param name="properties">Its properties, read just before.</param>
    /// <param name="maxBytes">The size limit, checked before the download.</param>
    /// <param name="beforeDownload">A test hook run between the size check and the download.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <exception cref="ImageReferenceException">Over the size limit (<see cref="ImageReferenceFailure.TooLarge"/>).</exception>
    /// <exception cref="RequestFailedException">Status 412 when the blob was replaced after <paramref name="properties"/> were read.</exception>
    public static async Task<byte[]> DownloadVersionAsync(BlobClient blob, BlobProperties properties, long maxBytes, Func<BlobClient, CancellationToken, Task>? beforeDownload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(properties);
        if (properties.ContentLength > maxBytes)
        {
            throw new ImageReferenceException(ImageReferenceFailure.TooLarge, $"{blob.BlobContainerName}/{blob.Name} has {properties.ContentLength} bytes; the limit is {maxBytes}.");
        }

        if (beforeDownload is not null)
        {
            await beforeDownload(blob, cancellationToken);
        }

        BlobDownloadResult download = (await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken)).Value;
        return download.Content.ToArray();
    }

    public static bool IsReplaced(RequestFailedException exception) =>
        exception is { Status: 412 } || exception.ErrorCode == BlobErrorCode.ConditionNotMet;
}
