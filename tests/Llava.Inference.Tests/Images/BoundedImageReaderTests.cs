using Llava.Inference.Images;
using Llava.Testing.Streams;

namespace Llava.Inference.Tests.Images;

public sealed class BoundedImageReaderTests
{
    [Fact]
    public async Task An_endless_stream_is_refused_as_too_large_after_reading_about_the_limit()
    {
        using NonSeekableStream endless = new([]);

        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => BoundedImageReader.ReadAsync(endless, 100_000));

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.InRange(endless.BytesRead, 100_001, 200_000);
    }

    [Fact]
    public async Task The_loader_refuses_an_endless_stream_as_too_large()
    {
        using NonSeekableStream endless = new([]);
        ImageLoader loader = new(new ImageLoadingOptions { MaxEncodedBytes = 1_000_000 });

        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => loader.LoadAsync(endless));

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.InRange(endless.BytesRead, 1_000_001, 2_000_000);
    }

    [Fact]
    public async Task A_device_without_a_length_is_read_up_to_the_limit_and_refused()
    {
        Assert.True(File.Exists("/dev/zero"), "This test needs /dev/zero (Linux CI).");

        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => BoundedImageReader.ReadFileAsync("/dev/zero", 1 << 20));

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(99_999)]
    [InlineData(100_000)]
    public async Task Streams_up_to_the_limit_are_read_whole(int length)
    {
        byte[] data = [.. Enumerable.Range(0, length).Select(i => (byte)i)];
        using UnseekableStream stream = new(data, chunk: 777);

        byte[] read = await BoundedImageReader.ReadAsync(stream, 100_000);

        Assert.Equal(data, read);
    }

    [Fact]
    public async Task A_seekable_stream_over_the_limit_is_refused_before_reading()
    {
        using MemoryStream stream = new(new byte[100_001]);

        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => BoundedImageReader.ReadAsync(stream, 100_000));

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task A_file_is_read_whole_and_a_missing_file_is_not_found()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bounded-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        try
        {
            Assert.Equal([1, 2, 3], await BoundedImageReader.ReadFileAsync(path, 3));
            await Assert.ThrowsAsync<ImageRejectedException>(() => BoundedImageReader.ReadFileAsync(path, 2));
        }
        finally
        {
            File.Delete(path);
        }

        await Assert.ThrowsAsync<FileNotFoundException>(() => BoundedImageReader.ReadFileAsync(path, 10));
    }
}
