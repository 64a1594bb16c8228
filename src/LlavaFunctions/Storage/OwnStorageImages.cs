using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Serving.Http;
using LlavaFunctions.Configuration;

namespace LlavaFunctions.Storage;

/// <summary>
/// Fetches images named by reference — <c>container/name</c> or a blob URL — and only from the app's own
/// storage account, with its own identity: a reference is untrusted input, and anything outside the account is
/// refused before any network access, so the app never fetches an arbitrary URL on a caller's behalf.
/// </summary>
public sealed class OwnStorageImages(StorageAccount storage, LlavaAppOptions options) : IImageReferenceResolver
{
    public BlobClient Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (Uri.TryCreate(reference, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            if (!storage.Owns(uri))
            {
                throw new ImageReferenceException(ImageReferenceFailure.NotAllowed, $"Only images in this app's storage account ({storage.Blobs.Uri}) can be referenced; {uri.GetLeftPart(UriPartial.Authority)} is not it.");
            }

            BlobUriBuilder parts = new(uri);
            return storage.Blobs.GetBlobContainerClient(parts.BlobContainerName).GetBlobClient(parts.BlobName);
        }

        string[] path = reference.TrimStart('/').Split('/', 2);
        if (path.Length != 2 || path[0].Length == 0 || path[1].Length == 0 || reference.Contains("..", StringComparison.Ordinal) || reference.Contains(':', StringComparison.Ordinal))
        {
            throw new ImageReferenceException(ImageReferenceFailure.NotAllowed, $"'{reference}' is not an image reference: use 'container/blob-name' or a blob URL in this app's storage account.");
        }

        return storage.Blobs.GetBlobContainerClient(path[0]).GetBlobClient(path[1]);
    }

    /// <summary>The image's bytes, with the app's own size limit.</summary>
    public async Task<byte[]> FetchAsync(string reference, CancellationToken cancellationToken) =>
        (await ResolveAsync(reference, options.MaxImageBytes, cancellationToken)).ToArray();

    public async Task<ReadOnlyMemory<byte>> ResolveAsync(string reference, long maxBytes, CancellationToken cancellationToken)
    {
        BlobClient blob = Resolve(reference);
        try
        {
            BlobProperties properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.ContentLength > maxBytes)
            {
                throw new ImageReferenceException(ImageReferenceFailure.TooLarge, $"{blob.BlobContainerName}/{blob.Name} has {properties.ContentLength} bytes; the limit is {maxBytes}.");
            }

            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToMemory();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ImageReferenceException(ImageReferenceFailure.NotFound, $"No image at {blob.BlobContainerName}/{blob.Name}.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new ImageReferenceException(ImageReferenceFailure.Unavailable, $"Storage did not answer for {blob.BlobContainerName}/{blob.Name} ({ex.Status}); try again.", ex);
        }
    }
}
