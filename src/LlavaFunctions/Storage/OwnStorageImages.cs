using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Serving.Http.Requests;
using LlavaFunctions.Configuration;

namespace LlavaFunctions.Storage;

/// <summary>
/// Fetches images named by reference — <c>container/name</c> or a blob URL — and only from the containers the app
/// allows (<see cref="LlavaAppOptions.AllowedImageContainers"/>) of its own storage account, with its own identity.
/// A reference is untrusted input: a URL to another account, a query (a SAS) or fragment, a path with <c>..</c>,
/// or any container not on the list (in Azure the account also holds the host's secrets) is refused before any
/// network access, so the app never fetches anything on a caller's behalf that it would not show them anyway.
/// </summary>
public sealed class OwnStorageImages(StorageAccount storage, LlavaAppOptions options) : IImageReferenceResolver
{
    private const int MaxBlobNameLength = 1024;

    /// <summary>A test hook run between the size check and the download of each attempt.</summary>
    internal Func<BlobClient, CancellationToken, Task>? BeforeDownload { get; init; }

    public BlobClient Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.Contains("..", StringComparison.Ordinal) || Uri.UnescapeDataString(reference).Contains("..", StringComparison.Ordinal) || reference.Any(c => char.IsControl(c) || c == '\\'))
        {
            throw Refused($"'{Shorten(reference)}' is not an image reference: '..', '\\' and control characters are not allowed.");
        }

        string container;
        string name;
        if (reference.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(reference, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw Refused($"'{Shorten(reference)}' is not an image reference: use 'container/blob-name' or an http(s) blob URL in this app's storage account.");
            }

            if (!storage.Owns(uri) || uri.UserInfo.Length > 0)
            {
                throw Refused($"Only images in this app's storage account ({storage.Blobs.Uri}) can be referenced; {uri.GetLeftPart(UriPartial.Authority)} is not it.");
            }

            if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                // A SAS or any other query would be someone else's authority; the app reads with its own identity.
                throw Refused("An image URL may not carry a query (such as a SAS token) or a fragment.");
            }

            BlobUriBuilder parts = new(uri);
            (container, name) = (parts.BlobContainerName, parts.BlobName);
        }
        else
        {
            string[] path = reference.Split('/', 2);
            if (path.Length != 2 || reference.IndexOfAny([':', '?', '#']) >= 0)
            {
                throw Refused($"'{Shorten(reference)}' is not an image reference: use 'container/blob-name' or a blob URL in this app's storage account.");
            }

            (container, name) = (path[0], path[1]);
        }

        IReadOnlyList<string> allowed = options.AllowedImageContainers;
        if (!allowed.Contains(container, StringComparer.Ordinal))
        {
            throw Refused($"Images can only be referenced in the container{(allowed.Count > 1 ? "s" : "")} {string.Join(", ", allowed)}; '{Shorten(container)}' is not one of them.");
        }

        if (name.Length is 0 or > MaxBlobNameLength || name.Split('/').Any(segment => segment.Length == 0 || segment == "."))
        {
            throw Refused($"'{Shorten(name)}' is not a blob name: 1-{MaxBlobNameLength} characters without empty or '.' path segments.");
        }

        return storage.Blobs.GetBlobContainerClient(container).GetBlobClient(name);
    }

    /// <summary>The image's bytes, with the app's own size limit.</summary>
    public async Task<byte[]> FetchAsync(string reference, CancellationToken cancellationToken) =>
        (await ResolveAsync(reference, options.MaxImageBytes, cancellationToken)).ToArray();

    public async Task<ReadOnlyMemory<byte>> ResolveAsync(string reference, long maxBytes, CancellationToken cancellationToken)
    {
        BlobClient blob = Resolve(reference);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                BlobProperties properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                try
                {
                    return await ImageBlobs.DownloadVersionAsync(blob, properties, maxBytes, BeforeDownload, cancellationToken);
                }
                catch (RequestFailedException ex) when (ImageBlobs.IsReplaced(ex) && attempt < ImageBlobs.MaxVersionAttempts)
                {
                    // Replaced between the size check and the download: check the new version.
                }
            }
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

    private static ImageReferenceException Refused(string message) => new(ImageReferenceFailure.NotAllowed, message);

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
