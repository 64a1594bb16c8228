using System.Net;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>Wraps request content and counts the bytes the client actually put on the wire.</summary>
internal sealed class CountingContent : HttpContent
{
    private readonly HttpContent _inner;
    private long _bytesSent;

    public CountingContent(HttpContent inner)
    {
        _inner = inner;
        foreach (KeyValuePair<string, IEnumerable<string>> header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        using MemoryStream buffer = new();
        await _inner.CopyToAsync(buffer);
        buffer.Position = 0;
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await buffer.ReadAsync(chunk)) > 0)
        {
            await stream.WriteAsync(chunk.AsMemory(0, read));
            Interlocked.Add(ref _bytesSent, read);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
