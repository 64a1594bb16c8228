using Llava.Inference.Images;
using Llava.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Images;

public sealed class ImageLoaderTests
{
    private static readonly ImageLoader s_loader = new();

    /// <summary>A 16x16 CMYK JPEG (Adobe, inverted) written by Pillow 9.4: red, green, blue and 50% grey quadrants.</summary>
    private const string CmykJpeg =
        "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB/8AAFAgAEAAQBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD+/iv8/wDr/P8A6/v4r/AHr/f4ooor/AHr/f4or/f4r/f4or/P/r//2Q==";

    /// <summary>
    /// A 16x12 two-frame lossless animated WebP written by Pillow 9.4: frame one is pixel (x, y) = (16x, 20y, 100),
    /// frame two its inverse.
    /// </summary>
    private const string AnimatedWebP =
        "UklGRkQCAABXRUJQVlA4WAoAAAACAAAADwAACwAAQU5JTQYAAAAAAAAAAABBTk1GBgEAAAAAAAAAAA8AAAsAAGQAAAJWUDhM7gAAAC8PwAIA/0WYbTSIIpw/6r0HYsjmvw4ZAAAAAACWxwMAYgAABJPZtm3byLZt27Zt27bdmxH9DwCGITF4IlIKajpGFnYuXoBYptTojUwtrO0cXdy9fAXhWDKTLyqtqK5rbGnv6g2MZ8vN/uj04vru8eX963cIgaOwBMRklDT0TKwc3HxAiVylNTA2s7Sxd3L18PYTRuKpbEFxWWVNfVNrR3dfcDJfbQ+Ozy5v7p9eP77/RlAEGkdIQk5Fy8DMxsnDD5Iq1DpDE3MrWwdnN08ff1E0kc4VlpRX1TY0t3X29Iemi/Xu8OT86vbh+e3z539BTk1GCgEAAAAAAAAAAA8AAAsAAGQAAABWUDhM8gAAAC8PwAIA/0WYbSRRg50/6r0FAinM4Gdz/utQAwAAAADA5vEAgBgAAMFktm3bNrJt27Zt27Zt92ZE/+P/+Xx7fri9Oj853K0X09F/T2dbc0NtVXlJYS6diIb6fTzdnB1srcxNDHVqhVTkz8PJxsxAS0VOQohDI6Agvu+P16f7m8uz44Ptaj4Z/nV3tDbV11SWFRdkU/FIsM/bw9XJ3sbSzNhAq5JLhH7cHKxM9DSUZMQEWBQcAuT9en95vLu+OD3ab5az8eC3q72lsa66orQon0nGwoFeL3cXRztrC1MjvUYpEwt8udhZGOmoKUiJ8BgkDAwA";

    public static TheoryData<string, string> LosslessFormats() => new()
    {
        { "PNG", "png" },
        { "BMP", "bmp" },
        { "GIF", "gif" },
        { "WebP", "webp" },
    };

    private static IImageEncoder Encoder(string extension) => extension switch
    {
        "png" => new PngEncoder(),
        "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
        // Few colours, so the palette is exact.
        "gif" => new GifEncoder(),
        "webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        "jpg" => new JpegEncoder { Quality = 95 },
        _ => throw new ArgumentOutOfRangeException(nameof(extension)),
    };

    private static Image<Rgb24> FourColours(int width, int height) => SyntheticImages.Pattern(width, height, (x, y) =>
        (x < width / 2, y < height / 2) switch
        {
            (true, true) => new Rgb24(255, 0, 0),
            (false, true) => new Rgb24(0, 255, 0),
            (true, false) => new Rgb24(0, 0, 255),
            _ => new Rgb24(250, 240, 10),
        });

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Lossless_formats_decode_to_the_exact_pixels(string format, string extension)
    {
        using Image<Rgb24> original = FourColours(20, 14);
        byte[] encoded = SyntheticImages.Encode(original, Encoder(extension));

        using DecodedImage decoded = s_loader.Load(encoded);

        Assert.Equal(format, decoded.Format);
        Assert.Equal((20, 14), (decoded.OriginalWidth, decoded.OriginalHeight));
        Assert.Equal(SyntheticImages.Pixels(original), SyntheticImages.Pixels(decoded.Pixels));
    }

    [Fact]
    public void Jpeg_decodes_close_to_the_original()
    {
        using Image<Rgb24> original = FourColours(32, 32);
        using DecodedImage decoded = s_loader.Load(SyntheticImages.Encode(original, Encoder("jpg")));

        Assert.Equal("JPEG", decoded.Format);
        AssertClose(new Rgb24(255, 0, 0), decoded.Pixels[4, 4], 8);
        AssertClose(new Rgb24(250, 240, 10), decoded.Pixels[27, 27], 8);
    }

    [Fact]
    public async Task The_format_comes_from_the_bytes_not_the_name()
    {
        // A PNG that was saved as .jpg.
        await using FileStream file = File.OpenRead(RepositoryPaths.Fixture("images", "bad", "png_named.jpg"));

        using DecodedImage decoded = await s_loader.LoadAsync(file);

        Assert.Equal("PNG", decoded.Format);
        Assert.Equal((8, 8), (decoded.OriginalWidth, decoded.OriginalHeight));
    }

    [Fact]
    public void Fixture_photos_decode_with_their_sizes()
    {
        foreach ((string file, int width, int height) in new[] { ("astronaut_316x500.png", 316, 500), ("camera_448x336_grey.png", 448, 336), ("coffee_500x375.png", 500, 375) })
        {
            using DecodedImage decoded = s_loader.Load(File.ReadAllBytes(RepositoryPaths.Fixture("images", file)));
            Assert.Equal((width, height), (decoded.OriginalWidth, decoded.OriginalHeight));
        }
    }

    [Fact]
    public void Greyscale_becomes_three_equal_channels()
    {
        using Image<L8> grey = new(9, 4);
        grey.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<L8> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    row[x] = new L8((byte)((x * 29) + y));
                }
            }
        });
        byte[] png = SyntheticImages.Encode(grey, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });

        using DecodedImage decoded = s_loader.Load(png);

        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 9; x++)
            {
                byte v = (byte)((x * 29) + y);
                Assert.Equal(new Rgb24(v, v, v), decoded.Pixels[x, y]);
            }
        }
    }

    [Fact]
    public void Alpha_is_dropped_keeping_the_colour_underneath()
    {
        // PIL's convert("RGB") (and so transformers) ignores alpha: no compositing on white or black.
        using Image<Rgba32> rgba = new(3, 1);
        rgba[0, 0] = new Rgba32(200, 100, 50, 0);
        rgba[1, 0] = new Rgba32(10, 20, 30, 128);
        rgba[2, 0] = new Rgba32(1, 2, 3, 255);
        byte[] png = SyntheticImages.Encode(rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, TransparentColorMode = PngTransparentColorMode.Preserve });

        using DecodedImage decoded = s_loader.Load(png);

        Assert.Equal(new Rgb24(200, 100, 50), decoded.Pixels[0, 0]);
        Assert.Equal(new Rgb24(10, 20, 30), decoded.Pixels[1, 0]);
        Assert.Equal(new Rgb24(1, 2, 3), decoded.Pixels[2, 0]);
    }

    [Fact]
    public void Palette_png_gives_its_colours()
    {
        using Image<Rgb24> original = FourColours(10, 10);
        byte[] png = SyntheticImages.Encode(original, new PngEncoder { ColorType = PngColorType.Palette });

        using DecodedImage decoded = s_loader.Load(png);

        Assert.Equal(SyntheticImages.Pixels(original), SyntheticImages.Pixels(decoded.Pixels));
    }

    [Fact]
    public void Sixteen_bit_png_keeps_the_high_byte_as_PIL_does()
    {
        using Image<Rgb48> wide = new(2, 1);
        wide[0, 0] = new Rgb48(0x12FF, 0xAB00, 0x0080);
        wide[1, 0] = new Rgb48(0xFFFF, 0x0000, 0x7F80);
        byte[] png = SyntheticImages.Encode(wide, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });

        using DecodedImage decoded = s_loader.Load(png);

        Assert.Equal(new Rgb24(0x12, 0xAB, 0x00), decoded.Pixels[0, 0]);
        Assert.Equal(new Rgb24(0xFF, 0x00, 0x7F), decoded.Pixels[1, 0]);
    }

    [Fact]
    public void Cmyk_jpeg_is_converted_to_rgb()
    {
        using DecodedImage decoded = s_loader.Load(Convert.FromBase64String(CmykJpeg));

        // Pillow gives (255,0,0), (0,255,0), (0,0,255), (127,127,127); JPEG rounding allows a little slack.
        AssertClose(new Rgb24(255, 0, 0), decoded.Pixels[3, 3], 4);
        AssertClose(new Rgb24(0, 255, 0), decoded.Pixels[12, 3], 4);
        AssertClose(new Rgb24(0, 0, 255), decoded.Pixels[3, 12], 4);
        AssertClose(new Rgb24(127, 127, 127), decoded.Pixels[12, 12], 4);
    }

    [Fact]
    public void Gif_gives_its_first_frame()
    {
        using Image<Rgba32> animation = new(6, 4, new Rgba32(255, 0, 0));
        using (Image<Rgba32> second = new(6, 4, new Rgba32(0, 0, 255)))
        {
            animation.Frames.AddFrame(second.Frames.RootFrame);
        }

        byte[] gif = SyntheticImages.Encode(animation, new GifEncoder());

        using DecodedImage decoded = s_loader.Load(gif);

        Assert.Equal(new Rgb24(255, 0, 0), decoded.Pixels[5, 3]);
        Assert.Equal(1, decoded.Pixels.Frames.Count);
    }

    [Fact]
    public void Animated_webp_gives_its_first_frame()
    {
        byte[] webp = Convert.FromBase64String(AnimatedWebP);

        using DecodedImage decoded = s_loader.Load(webp);

        Assert.Equal(("WebP", 16, 12), (decoded.Format, decoded.OriginalWidth, decoded.OriginalHeight));
        for (int y = 0; y < 12; y++)
        {
            for (int x = 0; x < 16; x++)
            {
                Assert.Equal(new Rgb24((byte)(16 * x), (byte)(20 * y), 100), decoded.Pixels[x, y]);
            }
        }

        ImageRejectedException e = Assert.Throws<ImageRejectedException>(() => s_loader.Load(webp.AsSpan(0, webp.Length - 40)));
        Assert.Equal(ImageRejectionReason.Corrupt, e.Reason);
    }

    public static TheoryData<int> Orientations() => [1, 2, 3, 4, 5, 6, 7, 8];

    /// <summary>
    /// Displayed pixel (x, y) comes from stored pixel (sx, sy): the EXIF definitions, checked once against PIL's
    /// ImageOps.exif_transpose on a 3x2 image for all eight values.
    /// </summary>
    private static (int X, int Y) StoredPixel(int orientation, int x, int y, int width, int height) => orientation switch
    {
        1 => (x, y),
        2 => (width - 1 - x, y),
        3 => (width - 1 - x, height - 1 - y),
        4 => (x, height - 1 - y),
        5 => (y, x),
        6 => (y, height - 1 - x),
        7 => (width - 1 - y, height - 1 - x),
        8 => (width - 1 - y, x),
        _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
    };

    [Theory]
    [MemberData(nameof(Orientations))]
    public void Exif_orientation_is_applied_so_the_image_is_upright(int orientation)
    {
        // Lossless (PNG eXIf chunk) so every pixel's destination can be checked.
        const int Width = 5;
        const int Height = 3;
        using Image<Rgb24> stored = SyntheticImages.Pattern(Width, Height, (x, y) => new Rgb24((byte)(x * 40), (byte)(y * 90), 7));
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)orientation);
        byte[] png = SyntheticImages.Encode(stored, new PngEncoder());

        using DecodedImage decoded = s_loader.Load(png);

        bool swaps = orientation >= 5;
        Assert.Equal(swaps ? (Height, Width) : (Width, Height), (decoded.OriginalWidth, decoded.OriginalHeight));
        Assert.Equal((Width, Height), (decoded.StoredWidth, decoded.StoredHeight));
        Assert.Equal(orientation, decoded.Orientation);
        for (int y = 0; y < decoded.OriginalHeight; y++)
        {
            for (int x = 0; x < decoded.OriginalWidth; x++)
            {
                (int sx, int sy) = StoredPixel(orientation, x, y, Width, Height);
                Assert.Equal(stored[sx, sy], decoded.Pixels[x, y]);
            }
        }
    }

    [Fact]
    public void A_portrait_phone_photo_stored_sideways_comes_out_upright()
    {
        // A camera held upright writes a landscape frame with orientation 6 (rotate 90 degrees clockwise to view).
        // Stored: sky (blue) on the left, ground (green) on the right; upright, the sky is on top.
        using Image<Rgb24> stored = SyntheticImages.Pattern(64, 48, (x, _) => x < 32 ? new Rgb24(30, 60, 220) : new Rgb24(40, 200, 40));
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] jpeg = SyntheticImages.Encode(stored, new JpegEncoder { Quality = 90 });

        using DecodedImage decoded = s_loader.Load(jpeg);

        Assert.Equal((48, 64), (decoded.OriginalWidth, decoded.OriginalHeight));
        AssertClose(new Rgb24(30, 60, 220), decoded.Pixels[24, 8], 10);
        AssertClose(new Rgb24(40, 200, 40), decoded.Pixels[24, 56], 10);
    }

    [Fact]
    public void Orientation_can_be_left_as_stored()
    {
        using Image<Rgb24> stored = FourColours(6, 4);
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        ImageLoader loader = new(new ImageLoadingOptions { ApplyExifOrientation = false });

        using DecodedImage decoded = loader.Load(SyntheticImages.Encode(stored, new PngEncoder()));

        Assert.Equal((6, 4, 1), (decoded.OriginalWidth, decoded.OriginalHeight, decoded.Orientation));
    }

    private static void AssertClose(Rgb24 expected, Rgb24 actual, int tolerance)
    {
        Assert.True(
            Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance && Math.Abs(expected.B - actual.B) <= tolerance,
            $"Expected {expected} within {tolerance}, got {actual}.");
    }
}
