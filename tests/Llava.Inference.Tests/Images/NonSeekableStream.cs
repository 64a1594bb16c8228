namespace Llava.Inference.Tests.Images;

/// <summary>An endless, non-seekable stream of one byte value that counts what was read from it.</summary>
internal sealed class NonSeekableStream : Stream
{
    private readonly byte[] _prefix;

    public NonSeekableStream(byte[] prefix)
    {
        _prefix = prefix;
    }

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        // Short reads on purpose: callers must loop.
        int n = Math.Min(count, 4096);
        for (int i = 0; i < n; i++)
        {
            long at = BytesRead + i;
            buffer[offset + i] = at < _prefix.Length ? _prefix[at] : (byte)0x5A;
        }

        BytesRead += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
