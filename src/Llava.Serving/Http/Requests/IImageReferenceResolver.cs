namespace Llava.Serving.Http.Requests;

/// <summary>
/// Turns an image given by reference (a blob URL, or <c>container/name</c>, in the app's own storage) into its
/// bytes. The HTTP API never fetches anything itself: whatever is not resolved here is refused with 400, and a
/// host without a resolver (<c>llava serve</c>) refuses every reference.
/// </summary>
/// <remarks>
/// Implementations MUST refuse (with <see cref="ImageReferenceException"/> and
/// <see cref="ImageReferenceFailure.NotAllowed"/>) every reference outside the app's own storage account, before
/// any network access: a reference is untrusted input and this is the only thing standing between it and
/// server-side request forgery.
/// </remarks>
public interface IImageReferenceResolver
{
    /// <summary>Reads the referenced image.</summary>
    /// <param name="reference">The reference exactly as the client sent it.</param>
    /// <param name="maxBytes">The engine's encoded-image limit: refuse a larger blob with <see cref="ImageReferenceFailure.TooLarge"/> without reading it.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    /// <exception cref="ImageReferenceException">The reference is refused, missing, too large, or storage failed.</exception>
    Task<ReadOnlyMemory<byte>> ResolveAsync(string reference, long maxBytes, CancellationToken cancellationToken);
}
