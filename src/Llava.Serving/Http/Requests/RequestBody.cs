using Llava.Serving.Http.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Llava.Serving.Http.Requests;

/// <summary>Request body limits: a declared length over the limit is refused before a byte is read; the rest is counted as it is read.</summary>
internal static class RequestBody
{
    /// <summary>Refuses a declared over-limit body at once and returns the body as a stream that stops at the limit.</summary>
    public static Stream Open(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            throw HttpApiException.TooLarge(limit);
        }

        // Where the server lets us, its own limit follows ours too (Kestrel then refuses a chunked body early).
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature &&
            (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > limit))
        {
            feature.MaxRequestBodySize = limit;
        }

        return new LimitedReadStream(request.Body, limit);
    }

    /// <summary>Reads the whole body into memory, up to the limit.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAllAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        Stream body = Open(request, limit);
        using MemoryStream buffer = request.ContentLength is long length ? new MemoryStream((int)length) : new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.TryGetBuffer(out ArraySegment<byte> bytes) ? bytes : buffer.ToArray();
    }
}
