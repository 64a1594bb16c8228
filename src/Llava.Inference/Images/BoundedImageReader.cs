namespace Llava.Inference.Images;

/// <summary>
/// Reads encoded image bytes from anything (a seekable file, a pipe, a device such as <c>/dev/zero</c>, a request
/// body without a length) without ever holding more than the limit plus one read. A source that goes on past the
/// limit is refused as <see cref="ImageRejectionReason.TooLarge"/> at that point, whatever its reported length.
/// </summary>
public static class BoundedImageReader
{
    private const int FirstBufferBytes = 81920;

    /// <summary>The whole stream, at most <paramref name="maxBytes"/> bytes.</summary>
    public static async Task<byte[]> ReadAsync(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
    {
        (byte[] buffer, int length) = await ReadCoreAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>A file (or device, or named pipe) by path, at most <paramref name="maxBytes"/> bytes; FileNotFoundException when it is missing.</summary>
    public static async Task<byte[]> ReadFileAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new UnauthorizedAccessException($"{path} is a directory, not an image file.");
        }

        // FileOptions.Asynchronous would refuse some devices and pipes; a sequential synchronous handle reads them all.
        await using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return await ReadAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A buffer and the number of bytes in it; the buffer may be longer than the data.</summary>
    internal static async Task<(byte[] Buffer, int Length)> ReadCoreAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength - 1L);

        // A reported length is only a hint (devices report 0, some streams lie): it sizes the first buffer and
        // refuses early, but the limit is enforced on the bytes actually read.
        long? reported = stream.CanSeek ? stream.Length - stream.Position : null;
        if (reported > maxBytes)
        {
            throw TooLarge(reported.Value, maxBytes, atLeast: false);
        }

        byte[] buffer = new byte[(int)Math.Min(maxBytes + 1, reported is > 0 ? reported.Value + 1 : FirstBufferBytes)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes)
                {
                    throw TooLarge(length, maxBytes, atLeast: true);
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
            }

            int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > maxBytes)
        {
            throw TooLarge(length, maxBytes, atLeast: true);
        }

        return (buffer, length);
    }

    internal static ImageRejectedException TooLarge(long length, long maxBytes, bool atLeast) => new(
        ImageRejectionReason.TooLarge,
        atLeast
            ? $"The image is more than {maxBytes} bytes; the limit is {maxBytes} bytes."
            : $"The image is {length} bytes; the limit is {maxBytes} bytes.");
}
