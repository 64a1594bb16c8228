using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using LlavaFunctions.Configuration;

namespace LlavaFunctions.Storage;

/// <summary>
/// Fetches images named by reference — <c>container/name</c> or a blob URL — and only from the app's own
/// storage account, with its own identity: the app never fetches an arbitrary URL on a caller's behalf.
/// </summary>
public sealed class OwnStorageImages(StorageAccount storage, LlavaAppOptions options)
{
    public BlobClient Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (Uri.TryCreate(reference, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            if (!storage.Owns(uri))
            {
                throw new ImageReferenceException($"Only images in this app's storage account ({storage.Blobs.Uri}) can be referenced; {uri.GetLeftPart(UriPartial.Authority)} is not it.");
            }

            BlobUriBuilder parts = new(uri);
            return storage.Blobs.GetBlobContainerClient(parts.BlobContainerName).GetBlobClient(parts.BlobName);
        }

        string[] path = reference.TrimStart('/').Split('/', 2);
        if (path.Length != 2 || path[0].Length == 0 || path[1].Length == 0 || reference.Contains("..", StringComparison.Ordinal))
        {
            throw new ImageReferenceException($"'{reference}' is not an image reference: use 'container/blob-name' or a blob URL in this app's storage account.");
        }

        return storage.Blobs.GetBlobContainerClient(path[0]).GetBlobClient(path[1]);
    }

    /// <summary>The image's bytes, refusing missing or oversized blobs with a clear message.</summary>
    public async Task<byte[]> FetchAsync(string reference, CancellationToken cancellationToken)
    {
        BlobClient blob = Resolve(reference);
        try
        {
            BlobProperties properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.ContentLength > options.MaxImageBytes)
            {
                throw new ImageReferenceException($"{blob.BlobContainerName}/{blob.Name} has {properties.ContentLength} bytes; the limit is {options.MaxImageBytes}.");
            }

            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ImageReferenceException($"No image at {blob.BlobContainerName}/{blob.Name}.", ex);
        }
    }
}
