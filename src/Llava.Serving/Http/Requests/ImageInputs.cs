using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// Images in requests: base64 and <c>data:</c> URLs are decoded here; anything else is a reference that only an
/// <see cref="IImageReferenceResolver"/> may turn into bytes. Nothing is ever fetched from a URL by this code.
/// </summary>
internal static class ImageInputs
{
    private const string NoResolver = "This server does not fetch images by URL or reference; send the image bytes (a multipart upload, base64, or a data: URL).";

    /// <summary>An image given inline as base64 (with or without a <c>data:</c> prefix).</summary>
    public static ImagePart FromBase64(string value, string field)
    {
        return value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? FromDataUrl(value, field) : new ImagePart(Decode(value.AsSpan(), field));
    }

    /// <summary>A <c>data:[media type][;base64],payload</c> URL; the media type is ignored (the format comes from the bytes).</summary>
    public static ImagePart FromDataUrl(string url, string field)
    {
        int comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw HttpApiException.InvalidField(field, $"'{field}' is not a valid data: URL (no comma before the payload).");
        }

        ReadOnlySpan<char> header = url.AsSpan(5, comma - 5);
        if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            throw HttpApiException.InvalidField(field, $"'{field}' must be a base64 data: URL (data:image/png;base64,...).");
        }

        return new ImagePart(Decode(url.AsSpan(comma + 1), field));
    }

    /// <summary>A URL or storage path: a reference for the resolver, or refused at once when there is none.</summary>
    public static PromptPart FromReference(string reference, IImageReferenceResolver? resolver, string field)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw HttpApiException.InvalidField(field, $"'{field}' must not be empty.");
        }

        return resolver is null
            ? throw new HttpApiException(ApiErrorCodes.ImageReferenceRefused, $"'{field}': {NoResolver}") { Param = field }
            : new ImageReferencePart(reference);
    }

    /// <summary>Replaces every <see cref="ImageReferencePart"/> with the resolver's bytes.</summary>
    public static async Task<IReadOnlyList<PromptMessage>> ResolveAsync(IReadOnlyList<PromptMessage> messages, IImageReferenceResolver? resolver, long maxBytes, CancellationToken cancellationToken)
    {
        if (!messages.Any(m => m.Parts.Any(p => p is ImageReferencePart)))
        {
            return messages;
        }

        if (resolver is null)
        {
            throw new HttpApiException(ApiErrorCodes.ImageReferenceRefused, NoResolver);
        }

        List<PromptMessage> resolved = new(messages.Count);
        foreach (PromptMessage message in messages)
        {
            List<PromptPart> parts = new(message.Parts.Count);
            foreach (PromptPart part in message.Parts)
            {
                parts.Add(part is ImageReferencePart reference
                    ? new ImagePart(await resolver.ResolveAsync(reference.Reference, maxBytes, cancellationToken))
                    : part);
            }

            resolved.Add(message with { Parts = parts });
        }

        return resolved;
    }

    private static ReadOnlyMemory<byte> Decode(ReadOnlySpan<char> base64, string field)
    {
        byte[] bytes = new byte[(base64.Length * 3 / 4) + 3];
        return Convert.TryFromBase64Chars(base64, bytes, out int written)
            ? bytes.AsMemory(0, written)
            : throw new HttpApiException(ApiErrorCodes.InvalidImage, $"'{field}' is not valid base64.") { Param = field };
    }
}
