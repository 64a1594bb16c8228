using System.Collections.Concurrent;
using Llava.Serving.Http.Requests;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>
/// An <see cref="IImageReferenceResolver"/> over an in-memory "container" that refuses everything else, as the
/// Functions app's storage resolver must; it records what it was asked.
/// </summary>
internal sealed class FakeImageResolver(IReadOnlyDictionary<string, byte[]> blobs) : IImageReferenceResolver
{
    public const string Prefix = "images/";

    public ConcurrentQueue<(string Reference, long MaxBytes)> Calls { get; } = new();

    public Task<ReadOnlyMemory<byte>> ResolveAsync(string reference, long maxBytes, CancellationToken cancellationToken)
    {
        Calls.Enqueue((reference, maxBytes));
        if (reference == Prefix + "flaky.png")
        {
            throw new ImageReferenceException(ImageReferenceFailure.Unavailable, "Storage did not answer.") { RetryAfter = TimeSpan.FromSeconds(3) };
        }

        if (!reference.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ImageReferenceException(ImageReferenceFailure.NotAllowed, $"Only blobs in '{Prefix}' of this app's storage can be referenced.");
        }

        if (!blobs.TryGetValue(reference[Prefix.Length..], out byte[]? bytes))
        {
            throw new ImageReferenceException(ImageReferenceFailure.NotFound, $"There is no blob '{reference}'.");
        }

        return bytes.Length > maxBytes
            ? throw new ImageReferenceException(ImageReferenceFailure.TooLarge, $"'{reference}' is {bytes.Length} bytes; the limit is {maxBytes}.")
            : Task.FromResult<ReadOnlyMemory<byte>>(bytes);
    }
}
