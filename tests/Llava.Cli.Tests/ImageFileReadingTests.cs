using Llava.Cli.Running;
using Llava.Inference.Images;

namespace Llava.Cli.Tests;

/// <summary>`llava ask /dev/zero` must be refused at the image size limit, not read until memory runs out.</summary>
public sealed class ImageFileReadingTests
{
    [Fact]
    public async Task A_device_without_end_is_refused_as_too_large_at_the_limit()
    {
        Assert.True(File.Exists("/dev/zero"), "This test needs /dev/zero (Linux CI).");

        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => ImageCaptioner.ReadImageAsync("/dev/zero", 4 << 20, CancellationToken.None));

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.Contains(4194304.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_not_found_and_a_small_file_is_read_whole()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cli-image-{Guid.NewGuid():N}.bin");
        await Assert.ThrowsAsync<FileNotFoundException>(() => ImageCaptioner.ReadImageAsync(path, 10, CancellationToken.None));

        await File.WriteAllBytesAsync(path, [1, 2, 3, 4]);
        try
        {
            Assert.Equal([1, 2, 3, 4], await ImageCaptioner.ReadImageAsync(path, 4, CancellationToken.None));
            ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => ImageCaptioner.ReadImageAsync(path, 3, CancellationToken.None));
            Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
