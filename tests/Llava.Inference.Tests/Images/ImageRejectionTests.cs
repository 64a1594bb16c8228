using System.Buffers.Binary;
using System.Diagnostics;
using Llava.Inference.Images;
using Llava.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Images;

public sealed class ImageRejectionTests
{
    private const string Accepted = "send JPEG, PNG, WebP, BMP or GIF";

    private static readonly ImageLoader s_loader = new();

    public static TheoryData<string> Formats() => ["jpg", "png", "gif", "bmp", "webp"];

    private static byte[] Encoded(string extension)
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(48, 32);
        IImageEncoder encoder = extension switch
        {
            "jpg" => new JpegEncoder { Quality = 90 },
            "png" => new PngEncoder(),
            "gif" => new GifEncoder(),
            "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
            "webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossy },
            _ => throw new ArgumentOutOfRangeException(nameof(extension)),
        };
        return SyntheticImages.Encode(image, encoder);
    }

    private static ImageRejectedException Rejected(byte[] data, ImageRejectionReason reason, ImageLoader? loader = null)
    {
        Stopwatch watch = Stopwatch.StartNew();
        ImageRejectedException e = Assert.Throws<ImageRejectedException>(() => (loader ?? s_loader).Load(data).Dispose());
        Assert.True(watch.ElapsedMilliseconds < 1000, $"Refusing took {watch.ElapsedMilliseconds} ms.");
        Assert.Equal(reason, e.Reason);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    private static void AssertNormalImageStillLoads()
    {
        using DecodedImage decoded = s_loader.Load(Encoded("png"));
        Assert.Equal((48, 32), (decoded.OriginalWidth, decoded.OriginalHeight));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_truncation_of_every_format_is_corrupt(string extension)
    {
        byte[] whole = Encoded(extension);
        using (s_loader.Load(whole))
        {
            // The untruncated file is fine.
        }

        foreach (int length in new[] { whole.Length - 1, whole.Length - 2, (whole.Length * 3) / 4, whole.Length / 2, whole.Length / 4, 64, 30, 20, 16 })
        {
            ImageRejectedException e = Rejected(whole[..length], ImageRejectionReason.Corrupt);
            Assert.Contains("cannot be used", e.Message, StringComparison.Ordinal);
        }

        AssertNormalImageStillLoads();
    }

    /// <summary>BMP is left out: it has no checksums, so random pixel data behind a good header is a valid picture.</summary>
    [Theory]
    [InlineData("jpg", 3)]
    [InlineData("png", 8)]
    [InlineData("gif", 13)]
    [InlineData("webp", 12)]
    public void A_good_header_followed_by_garbage_is_corrupt(string extension, int keep)
    {
        byte[] whole = Encoded(extension);
        byte[] garbage = [.. whole[..keep], .. SyntheticImages.LcgBytes(whole.Length - keep, 42)];

        Rejected(garbage, ImageRejectionReason.Corrupt);
        AssertNormalImageStillLoads();
    }

    [Fact]
    public void A_damaged_png_chunk_fails_its_crc()
    {
        byte[] png = Encoded("png");
        png[png.Length / 2] ^= 0x10;

        ImageRejectedException e = Rejected(png, ImageRejectionReason.Corrupt);
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gif_with_an_unknown_block_is_corrupt()
    {
        byte[] gif = Encoded("gif");
        // The first block after the header and global colour table.
        int at = 13 + ((gif[10] & 0x80) != 0 ? 3 * (1 << ((gif[10] & 7) + 1)) : 0);
        gif[at] = 0x99;

        Rejected(gif, ImageRejectionReason.Corrupt);
    }

    [Fact]
    public void A_bmp_with_an_impossible_header_is_corrupt()
    {
        byte[] bmp = Encoded("bmp");
        byte[] badDepth = [.. bmp];
        BinaryPrimitives.WriteUInt16LittleEndian(badDepth.AsSpan(28), 7);
        byte[] badOffset = [.. bmp];
        BinaryPrimitives.WriteUInt32LittleEndian(badOffset.AsSpan(10), 1_000_000);

        Rejected(badDepth, ImageRejectionReason.Corrupt);
        Rejected(badOffset, ImageRejectionReason.Corrupt);
    }

    [Fact]
    public void A_committed_truncated_jpeg_is_corrupt()
    {
        Rejected(File.ReadAllBytes(RepositoryPaths.Fixture("images", "bad", "truncated.jpg")), ImageRejectionReason.Corrupt);
    }

    [Fact]
    public async Task Zero_bytes_are_empty()
    {
        Rejected([], ImageRejectionReason.Empty);
        using MemoryStream empty = new();
        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => s_loader.LoadAsync(empty));
        Assert.Equal(ImageRejectionReason.Empty, e.Reason);
    }

    [Theory]
    [InlineData("tiny.tiff", "TIFF")]
    [InlineData("tiny.tga", "TGA")]
    [InlineData("tiny.ppm", "PPM")]
    public void Other_formats_are_refused_by_name(string file, string name)
    {
        ImageRejectedException e = Rejected(File.ReadAllBytes(RepositoryPaths.Fixture("images", "bad", file)), ImageRejectionReason.Unsupported);

        Assert.Equal($"{name} images are not supported; {Accepted}.", e.Message);
    }

    [Fact]
    public void Tiff_written_by_imagesharp_is_refused_by_name()
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(8, 8);
        byte[] tiff = SyntheticImages.Encode(image, new SixLabors.ImageSharp.Formats.Tiff.TiffEncoder());

        Assert.StartsWith("TIFF images are not supported", Rejected(tiff, ImageRejectionReason.Unsupported).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_bytes_are_unsupported()
    {
        ImageRejectedException e = Rejected("just some text, not an image"u8.ToArray(), ImageRejectionReason.Unsupported);

        Assert.Equal($"The data is not a recognised image format; {Accepted}.", e.Message);
    }

    [Theory]
    [InlineData("bomb_100000x100000.png")]
    [InlineData("bomb_65535x65535.gif")]
    public void Decompression_bombs_are_refused_from_the_header_without_allocating(string file)
    {
        byte[] bomb = File.ReadAllBytes(RepositoryPaths.Fixture("images", "bad", file));
        Rejected(bomb, ImageRejectionReason.TooLarge);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Stopwatch watch = Stopwatch.StartNew();
        ImageRejectedException e = Assert.Throws<ImageRejectedException>(() => s_loader.Load(bomb).Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.True(watch.ElapsedMilliseconds < 100, $"Refusing the bomb took {watch.ElapsedMilliseconds} ms.");
        Assert.True(allocated < 1 << 20, $"Refusing the bomb allocated {allocated} bytes.");
        Assert.Contains("megapixels", e.Message, StringComparison.Ordinal);
        AssertNormalImageStillLoads();
    }

    [Fact]
    public void Jpeg_and_bmp_headers_claiming_huge_sizes_are_too_large()
    {
        // Within each format's own maximum (ImageSharp refuses BMPs over 65535 itself), far over ours.
        // SOI, a baseline frame header of 60000 x 60000 with three components, EOI.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00, 0xFF, 0xD9];
        byte[] bmp = new byte[54];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 30_000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 30_000);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 24);

        Rejected(jpeg, ImageRejectionReason.TooLarge);
        Rejected(bmp, ImageRejectionReason.TooLarge);
    }

    [Fact]
    public void A_gif_frame_larger_than_its_screen_cannot_exhaust_memory()
    {
        // Screen 16 x 16, but the frame descriptor claims 60000 x 60000: the header check passes, the decoder's
        // allocation does not (the allocator's limit), or the frame is clipped to the screen.
        byte[] gif =
        [
            .. "GIF89a"u8, 16, 0, 16, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
            (byte)',', 0, 0, 0, 0, 0x60, 0xEA, 0x60, 0xEA, 0, 2, 2, 0x44, 0x01, 0, (byte)';',
        ];

        try
        {
            using DecodedImage decoded = s_loader.Load(gif);
            Assert.Equal((16, 16), (decoded.OriginalWidth, decoded.OriginalHeight));
        }
        catch (ImageRejectedException e)
        {
            Assert.Contains(e.Reason, new[] { ImageRejectionReason.TooLarge, ImageRejectionReason.Corrupt });
        }

        AssertNormalImageStillLoads();
    }

    [Fact]
    public void Width_height_and_pixel_limits_apply_separately()
    {
        using Image<Rgb24> wide = new(20000, 1);
        byte[] png = SyntheticImages.Encode(wide, new PngEncoder());
        Rejected(png, ImageRejectionReason.TooLarge);

        ImageLoader strict = new(new ImageLoadingOptions { MaxPixels = 100 });
        using Image<Rgb24> small = new(20, 10);
        ImageRejectedException e = Rejected(SyntheticImages.Encode(small, new PngEncoder()), ImageRejectionReason.TooLarge, strict);
        Assert.Contains("20x10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversize_input_is_refused_reading_at_most_one_byte_more_than_the_limit()
    {
        ImageLoader loader = new(new ImageLoadingOptions { MaxEncodedBytes = 1000 });
        byte[] png = Encoded("png");
        Assert.True(png.Length > 1000);

        Rejected(png, ImageRejectionReason.TooLarge, loader);

        NonSeekableStream endless = new(png);
        ImageRejectedException e = await Assert.ThrowsAsync<ImageRejectedException>(() => loader.LoadAsync(endless));
        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.Equal(1001, endless.BytesRead);

        using MemoryStream seekable = new(png);
        e = await Assert.ThrowsAsync<ImageRejectedException>(() => loader.LoadAsync(seekable));
        Assert.Equal(ImageRejectionReason.TooLarge, e.Reason);
        Assert.Equal(0, seekable.Position);
    }

    [Fact]
    public async Task Input_exactly_at_the_limit_is_accepted_from_a_non_seekable_stream()
    {
        byte[] png = Encoded("png");
        ImageLoader loader = new(new ImageLoadingOptions { MaxEncodedBytes = png.Length });

        using DecodedImage decoded = await loader.LoadAsync(new ExactStream(png));

        Assert.Equal(48, decoded.OriginalWidth);
    }

    [Fact]
    public async Task Cancellation_is_not_reported_as_a_bad_image()
    {
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s_loader.LoadAsync(new NonSeekableStream([]), cancelled.Token));
    }

    /// <summary>A non-seekable stream over a fixed array.</summary>
    private sealed class ExactStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
