using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using static Llava.Testing.HostileImages.HostileImageOutcome;

namespace Llava.Testing.HostileImages;

/// <summary>
/// The crafted corpus of <c>tests/fixtures/hostile-images/</c>: valid images in every variant the loader must accept,
/// metadata bombs it must skip cheaply, damaged files it must refuse as corrupt (at least wherever Pillow does),
/// headers that claim too many pixels, other formats and non-images. Generated from code alone (ImageSharp's
/// encoders, hand-built chunks and <see cref="PillowSeeds"/>), so every file says how it was made. Run
/// <c>dotnet run --project tests/Llava.Fuzzing -c Release -- generate</c> to rewrite the folder.
/// </summary>
public static class HostileImageCorpus
{
    public static IReadOnlyList<HostileImage> Generate()
    {
        List<HostileImage> images = [];
        void Add(string file, string cls, string expect, byte[] bytes)
        {
            if (images.Any(i => i.File == file))
            {
                throw new InvalidOperationException($"Duplicate corpus file name {file}.");
            }

            images.Add(new HostileImage(file, cls, expect, bytes));
        }

        Valid(Add);
        MetadataBombs(Add);
        Truncations(Add);
        DamagedPng(Add);
        DamagedJpeg(Add);
        DamagedGif(Add);
        DamagedBmp(Add);
        DamagedWebP(Add);
        GiantHeaders(Add);
        OtherFormats(Add);
        return images;
    }

    private static Image<Rgb24> Gradient(int width, int height) => Pattern(width, height, (x, y) =>
        new Rgb24((byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)), 128));

    private static Image<Rgb24> Pattern(int width, int height, Func<int, int, Rgb24> colour)
    {
        Image<Rgb24> image = new(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    row[x] = colour(x, y);
                }
            }
        });
        return image;
    }

    private static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using MemoryStream stream = new();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static byte[] EncodeGradient(int width, int height, IImageEncoder encoder)
    {
        using Image<Rgb24> image = Gradient(width, height);
        return Encode(image, encoder);
    }

    private static PngEncoder Png(PngColorType colour = PngColorType.Rgb, PngBitDepth depth = PngBitDepth.Bit8, bool adam7 = false) => new()
    {
        ColorType = colour,
        BitDepth = depth,
        InterlaceMethod = adam7 ? PngInterlaceMode.Adam7 : PngInterlaceMode.None,
        CompressionLevel = PngCompressionLevel.BestCompression,
    };

    private static byte[] PngRgb(int width = 32, int height = 24) => EncodeGradient(width, height, Png());

    private static byte[] Jpeg(int width = 32, int height = 24, JpegColorType colour = JpegColorType.YCbCrRatio420) =>
        EncodeGradient(width, height, new JpegEncoder { Quality = 90, ColorType = colour });

    private static byte[] Gif(int width = 32, int height = 24) => EncodeGradient(width, height, new GifEncoder());

    private static byte[] Bmp(BmpBitsPerPixel bits = BmpBitsPerPixel.Pixel24, int width = 32, int height = 24) =>
        EncodeGradient(width, height, new BmpEncoder { BitsPerPixel = bits });

    private static byte[] WebPLossy(int width = 32, int height = 24) =>
        EncodeGradient(width, height, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 80 });

    private static byte[] WebPLossless(int width = 32, int height = 24) =>
        EncodeGradient(width, height, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });

    private static void Valid(Action<string, string, string, byte[]> add)
    {
        const string Cls = "valid";
        add("valid_png_rgb8.png", Cls, Accepted, PngRgb());
        using (Image<Rgba32> alpha = new(32, 24))
        {
            alpha.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    Span<Rgba32> row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        row[x] = new Rgba32((byte)(x * 8), (byte)(y * 10), 200, (byte)(x * y));
                    }
                }
            });
            add("valid_png_rgba8.png", Cls, Accepted, Encode(alpha, Png(PngColorType.RgbWithAlpha)));
            add("valid_png_graya8.png", Cls, Accepted, Encode(alpha, Png(PngColorType.GrayscaleWithAlpha)));
            add("valid_png_rgba16.png", Cls, Accepted, Encode(alpha, Png(PngColorType.RgbWithAlpha, PngBitDepth.Bit16)));
            add("valid_webp_lossy_alpha.webp", Cls, Accepted, Encode(alpha, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }));
            add("valid_webp_lossless_alpha.webp", Cls, Accepted, Encode(alpha, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));
        }

        add("valid_png_gray8.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Grayscale)));
        add("valid_png_gray1.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Grayscale, PngBitDepth.Bit1)));
        add("valid_png_gray16.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Grayscale, PngBitDepth.Bit16)));
        add("valid_png_rgb16.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Rgb, PngBitDepth.Bit16)));
        add("valid_png_palette8.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Palette)));
        add("valid_png_palette4.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Palette, PngBitDepth.Bit4)));
        add("valid_png_palette1.png", Cls, Accepted, EncodeGradient(32, 24, Png(PngColorType.Palette, PngBitDepth.Bit1)));
        // Interlaced files are written here (Adam7Png), by the specification: ImageSharp 2.1's encoder writes a
        // filter byte for passes that have no pixels, which Pillow rightly refuses.
        foreach ((int w, int h) in new[] { (1, 1), (2, 2), (3, 3), (1, 9), (9, 1), (5, 4), (4, 1), (1, 4), (32, 24) })
        {
            add($"valid_png_adam7_{w}x{h}.png", "valid-adam7", Accepted, Adam7Png(w, h, 2, 8));
        }

        add("valid_png_adam7_gray16_2x5.png", "valid-adam7", Accepted, Adam7Png(2, 5, 0, 16));
        add("valid_png_adam7_gray1_9x3.png", "valid-adam7", Accepted, Adam7Png(9, 3, 0, 1));
        add("valid_png_adam7_palette4_3x3.png", "valid-adam7", Accepted, Adam7Png(3, 3, 3, 4));
        add("valid_png_adam7_rgba16_7x7.png", "valid-adam7", Accepted, Adam7Png(7, 7, 6, 16));
        add("valid_png_adam7_imagesharp_32x24.png", "valid-adam7", Accepted, EncodeGradient(32, 24, Png(adam7: true)));
        add("valid_png_idat_1byte.png", "valid-idat-split", Accepted, PngChunks.Rechunk(PngRgb(), 1));
        add("valid_png_idat_7bytes.png", "valid-idat-split", Accepted, PngChunks.Rechunk(PngRgb(), 7));
        add("valid_png_idat_empty_between.png", "valid-idat-split", Accepted, PngChunks.Rechunk(PngRgb(), 50, emptyBetween: true));
        add("valid_png_adam7_idat_1byte.png", "valid-idat-split", Accepted, PngChunks.Rechunk(Adam7Png(5, 4, 2, 8), 1));
        add("valid_png_stored_zlib.png", "valid", Accepted, PngStored(PngRgb()));
        add("valid_png_text_small.png", "valid-metadata", Accepted, PngChunks.InsertAfterIhdr(
            PngRgb(),
            ("tEXt", [.. "Comment\0hello"u8]),
            ("zTXt", [.. "Title\0\0"u8, .. PngChunks.Zlib("a small title"u8)]),
            ("iTXt", [.. "Description\0\0\0en\0\0"u8, .. "plain"u8]),
            ("tIME", [0x07, 0xEA, 12, 6, 8, 0, 0]),
            ("pHYs", [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
            ("prVt", [1, 2, 3])));
        add("valid_png_gamma_srgb.png", "valid-metadata", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("gAMA", [0, 0, 0xB1, 0x8F]), ("sRGB", [0])));
        for (ushort o = 1; o <= 8; o++)
        {
            add($"valid_jpeg_exif_orientation{o}.jpg", "valid-exif-orientation", Accepted, JpegSegments.InsertAfterSoi(Jpeg(32, 16), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.Orientation(o)))));
        }

        add("valid_jpeg_exif_orientation6_bigendian.jpg", "valid-exif-orientation", Accepted, JpegSegments.InsertAfterSoi(Jpeg(32, 16), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.Orientation(6, bigEndian: true)))));
        add("valid_png_exif_orientation6.png", "valid-exif-orientation", Accepted, PngChunks.InsertAfterIhdr(PngRgb(32, 16), ("eXIf", ExifBlocks.Orientation(6))));
        add("valid_webp_exif_orientation8.webp", "valid-exif-orientation", Accepted, WebPWithChunks(WebPLossless(32, 16), exif: ExifBlocks.Orientation(8)));
        add("valid_jpeg_420.jpg", Cls, Accepted, Jpeg());
        add("valid_jpeg_444.jpg", Cls, Accepted, Jpeg(colour: JpegColorType.YCbCrRatio444));
        add("valid_jpeg_gray.jpg", Cls, Accepted, Jpeg(colour: JpegColorType.Luminance));
        add("valid_jpeg_progressive.jpg", Cls, Accepted, PillowSeeds.ProgressiveJpeg);
        add("valid_jpeg_cmyk.jpg", Cls, Accepted, PillowSeeds.CmykJpeg);
        add("valid_jpeg_restart.jpg", Cls, Accepted, PillowSeeds.RestartJpeg);
        add("valid_jpeg_quality1.jpg", Cls, Accepted, EncodeGradient(32, 24, new JpegEncoder { Quality = 1 }));
        add("valid_jpeg_comment.jpg", "valid-metadata", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xFE, "made by the hostile-image corpus"u8)));
        add("valid_jpeg_fill_bytes.jpg", Cls, Accepted, JpegFillBytes(Jpeg()));
        add("valid_gif.gif", Cls, Accepted, Gif());
        add("valid_gif_animated.gif", Cls, Accepted, AnimatedGif());
        add("valid_gif_comment.gif", "valid-metadata", Accepted, GifWithExtension(Gif(), 0xFE, Encoding.ASCII.GetBytes("a short comment")));
        add("valid_bmp_24.bmp", Cls, Accepted, Bmp());
        add("valid_bmp_32.bmp", Cls, Accepted, Bmp(BmpBitsPerPixel.Pixel32));
        add("valid_bmp_16.bmp", Cls, Accepted, Bmp(BmpBitsPerPixel.Pixel16));
        add("valid_bmp_8.bmp", Cls, Accepted, Bmp(BmpBitsPerPixel.Pixel8));
        add("valid_bmp_4.bmp", Cls, Accepted, Bmp(BmpBitsPerPixel.Pixel4));
        add("valid_bmp_1.bmp", Cls, Accepted, Bmp(BmpBitsPerPixel.Pixel1));
        add("valid_bmp_topdown.bmp", Cls, Accepted, BmpTopDown(Bmp()));
        add("valid_webp_lossy.webp", Cls, Accepted, WebPLossy());
        add("valid_webp_lossless.webp", Cls, Accepted, WebPLossless());
        add("valid_webp_animated_lossless.webp", Cls, Accepted, PillowSeeds.AnimatedLosslessWebP);
        add("valid_webp_animated_lossy.webp", Cls, Accepted, PillowSeeds.AnimatedLossyWebP);
        foreach ((string ext, Func<int, int, byte[]> make) in new (string, Func<int, int, byte[]>)[]
        {
            ("png", (w, h) => PngRgb(w, h)),
            ("jpg", (w, h) => Jpeg(w, h)),
            ("gif", Gif),
            ("bmp", (w, h) => Bmp(BmpBitsPerPixel.Pixel24, w, h)),
            ("webp", WebPLossless),
        })
        {
            add($"valid_tiny_1x1.{ext}", "valid-tiny", Accepted, make(1, 1));
            add($"aspect_1x6000.{ext}", "extreme-aspect", Accepted, make(1, 6000));
            add($"aspect_6000x1.{ext}", "extreme-aspect", Accepted, make(6000, 1));
        }

        add("aspect_1x16384.png", "extreme-aspect", Accepted, PngRgb(1, 16384));
        add("polyglot_png_zip.png", "polyglot", Accepted, [.. PngRgb(), .. ZipOf("a.txt", "hello"u8)]);
        add("polyglot_gif_zip.gif", "polyglot", Accepted, [.. Gif(), .. ZipOf("a.txt", "hello"u8)]);
        add("polyglot_jpeg_html_comment.jpg", "polyglot", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xFE, "<html><script>alert(1)</script></html>"u8)));
        add("polyglot_jpeg_trailing_zip.jpg", "polyglot", Accepted, [.. Jpeg(), .. ZipOf("a.txt", "hello"u8)]);
        add("polyglot_bmp_trailing_pdf.bmp", "polyglot", Accepted, [.. Bmp(), .. "%PDF-1.4\n%%EOF\n"u8]);
    }

    private static void MetadataBombs(Action<string, string, string, byte[]> add)
    {
        // Zeros deflate about 1000:1, so a 256 MiB text chunk costs ~260 KB on disk.
        byte[] zlib256 = PngChunks.ZlibOfZeros(256L * 1024 * 1024);
        byte[] zlib16 = PngChunks.ZlibOfZeros(16L * 1024 * 1024);
        add("bomb_png_ztxt_256mib.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("zTXt", [.. "Comment\0\0"u8, .. zlib256])));
        add("bomb_png_ztxt_16mib.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("zTXt", [.. "Comment\0\0"u8, .. zlib16])));
        add("bomb_png_itxt_16mib.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("iTXt", [.. "XML:com.adobe.xmp\0\x01\0\0\0"u8, .. zlib16])));
        add("bomb_png_iccp_16mib.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("iCCP", [.. "icc\0\0"u8, .. zlib16])));
        add("bomb_png_ztxt_after_idat.png", "png-text-bomb", Accepted, InsertBeforeIend(PngRgb(), ("zTXt", [.. "Comment\0\0"u8, .. zlib16])));
        add("bomb_png_ztxt_garbage_zlib.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("zTXt", [.. "Comment\0\0"u8, .. Garbage(300, 7)])));
        List<(string, byte[])> many = [];
        for (int i = 0; i < 20000; i++)
        {
            many.Add(("tEXt", [.. "k\0v"u8]));
        }

        add("bomb_png_20000_text_chunks.png", "png-text-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), [.. many]));
        add("exif_png_self_referencing.png", "exif-loop", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("eXIf", ExifBlocks.SelfReferencing(6))));
        add("exif_png_two_ifd_loop.png", "exif-loop", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("eXIf", ExifBlocks.TwoIfdLoop(3))));
        add("exif_png_lying_counts.png", "exif-damaged", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("eXIf", ExifBlocks.LyingCounts())));
        add("exif_png_huge_100kib.png", "exif-bomb", Accepted, PngChunks.InsertAfterIhdr(PngRgb(), ("eXIf", [.. ExifBlocks.ManyEntries(4000, 6), .. new byte[64 * 1024]])));
        add("exif_jpeg_self_referencing.jpg", "exif-loop", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.SelfReferencing(6)))));
        add("exif_jpeg_two_ifd_loop.jpg", "exif-loop", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.TwoIfdLoop(3)))));
        add("exif_jpeg_lying_counts.jpg", "exif-damaged", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.LyingCounts()))));
        add("exif_jpeg_bad_ifd_offset.jpg", "exif-damaged", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.BadOffsets(false)))));
        add("exif_jpeg_bad_byte_order.jpg", "exif-damaged", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.BadOffsets(true)))));
        add("exif_jpeg_prefix_only.jpg", "exif-damaged", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, "Exif\0\0"u8)));
        add("exif_jpeg_many_entries.jpg", "exif-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.ManyEntries(5000, 8)))));
        byte[][] exifs = [.. Enumerable.Range(0, 200).Select(_ => JpegSegments.Segment(0xE1, ExifBlocks.WithExifPrefix(ExifBlocks.ManyEntries(20, 3))))];
        add("bomb_jpeg_200_exif_segments.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), exifs));
        byte[][] comments = [.. Enumerable.Range(0, 300).Select(i => JpegSegments.Segment(0xFE, Garbage(1000, (uint)i)))];
        add("bomb_jpeg_300_comments.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), comments));
        byte[][] icc = [.. Enumerable.Range(1, 255).Select(i => JpegSegments.Segment(0xE2, [.. "ICC_PROFILE\0"u8, (byte)i, 255, .. Garbage(200, (uint)i)]))];
        add("bomb_jpeg_icc_255_parts_garbage.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), icc));
        add("bomb_jpeg_icc_bad_sequence.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE2, [.. "ICC_PROFILE\0"u8, 9, 2, .. Garbage(100, 1)]), JpegSegments.Segment(0xE2, [.. "ICC_PROFILE\0"u8, 0, 0])));
        add("bomb_jpeg_app13_iptc_garbage.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xED, [.. "Photoshop 3.0\0"u8, .. "8BIM"u8, 4, 4, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0, .. Garbage(100, 2)])));
        add("bomb_jpeg_xmp_64k.jpg", "jpeg-metadata-bomb", Accepted, JpegSegments.InsertAfterSoi(Jpeg(), JpegSegments.Segment(0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.ASCII.GetBytes(new string('x', 65000))])));
        add("exif_webp_self_referencing.webp", "exif-loop", Accepted, WebPWithChunks(WebPLossless(), exif: ExifBlocks.SelfReferencing(6)));
        add("exif_webp_prefixed_two_ifd_loop.webp", "exif-loop", Accepted, WebPWithChunks(WebPLossless(), exif: ExifBlocks.WithExifPrefix(ExifBlocks.TwoIfdLoop(3))));
        add("bomb_webp_exif_garbage_256kib.webp", "webp-metadata-bomb", Accepted, WebPWithChunks(WebPLossy(), exif: Garbage(256 * 1024, 3)));
        add("bomb_webp_xmp_256kib.webp", "webp-metadata-bomb", Accepted, WebPWithChunks(WebPLossy(), xmp: Encoding.ASCII.GetBytes(new string('<', 256 * 1024))));
        add("bomb_webp_iccp_garbage.webp", "webp-metadata-bomb", Accepted, WebPWithChunks(WebPLossless(), iccp: Garbage(100000, 4)));
        add("bomb_gif_comment_256kib.gif", "gif-metadata-bomb", Accepted, GifWithExtension(Gif(), 0xFE, Garbage(256 * 1024, 5)));
        add("bomb_gif_application_garbage.gif", "gif-metadata-bomb", Accepted, GifWithExtension(Gif(), 0xFF, [.. "NETSCAPE2.0"u8, .. Garbage(5000, 6)]));
        add("bomb_gif_xmp_application.gif", "gif-metadata-bomb", Accepted, GifWithExtension(Gif(), 0xFF, [.. "XMP DataXMP"u8, .. Encoding.ASCII.GetBytes(new string('x', 100000))]));
        add("bomb_gif_netscape_short.gif", "gif-metadata-bomb", Accepted, GifWithRawExtension(Gif(), [0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x01, 0x01, 0x00]));
        add("bomb_gif_plaintext_extension.gif", "gif-metadata-bomb", Accepted, GifWithExtension(Gif(), 0x01, Garbage(3000, 8)));
        byte[] manyComments = Gif();
        for (int i = 0; i < 2000; i++)
        {
            manyComments = GifWithRawExtension(manyComments, [0x21, 0xFE, 0x01, (byte)'x', 0x00]);
        }

        add("bomb_gif_2000_comments.gif", "gif-metadata-bomb", Accepted, manyComments);
    }

    /// <summary>Prefixes of valid files: the sniffable ones are corrupt, shorter ones are not recognised at all.</summary>
    private static void Truncations(Action<string, string, string, byte[]> add)
    {
        (string Name, string Ext, byte[] Bytes, int Sniff)[] bases =
        [
            ("png", "png", PngRgb(), 8),
            ("png_adam7", "png", Adam7Png(32, 24, 2, 8), 8),
            ("jpeg", "jpg", Jpeg(), 3),
            ("jpeg_progressive", "jpg", PillowSeeds.ProgressiveJpeg, 3),
            ("gif", "gif", Gif(), 6),
            ("bmp", "bmp", Bmp(), 2),
            ("bmp8", "bmp", Bmp(BmpBitsPerPixel.Pixel8), 2),
            ("webp_lossy", "webp", WebPLossy(), 12),
            ("webp_lossless", "webp", WebPLossless(), 12),
            ("webp_animated", "webp", PillowSeeds.AnimatedLosslessWebP, 12),
        ];
        foreach ((string name, string ext, byte[] bytes, int sniff) in bases)
        {
            int n = bytes.Length;
            SortedSet<int> lengths = [1, 2, 3, 5, 7, 8, 11, 12, 16, 20, 26, 30, 33, 40, 54, 64, 100, n / 3, n / 2, (2 * n) / 3, n - 16, n - 4, n - 2, n - 1];
            foreach (int length in lengths.Where(l => l > 0 && l < n))
            {
                add($"truncated_{name}_{length:D5}.{ext}", $"truncated-{ext}", length >= sniff ? Corrupt : Unsupported, bytes[..length]);
            }
        }
    }

    private static void DamagedPng(Action<string, string, string, byte[]> add)
    {
        const string Cls = "damaged-png";
        byte[] png = PngRgb();
        List<(string Type, byte[] Data)> chunks = PngChunks.Split(png);

        add("png_bad_crc_ihdr.png", Cls, Corrupt, FlipByte(png, 8 + 8 + 13 + 1));
        int idatAt = IndexOf(png, "IDAT"u8);
        add("png_bad_crc_idat.png", Cls, Corrupt, FlipByte(png, idatAt + 10));
        add("png_bad_crc_iend.png", Cls, Corrupt, FlipByte(png, png.Length - 1));
        add("png_no_iend.png", Cls, Corrupt, png[..^12]);
        add("png_no_idat.png", Cls, Corrupt, PngChunks.Join(chunks.Where(c => c.Type != "IDAT")));
        add("png_only_signature.png", Cls, Corrupt, [.. PngChunks.Signature]);
        add("png_ihdr_not_first.png", Cls, Corrupt, PngChunks.Join([("tEXt", [.. "a\0b"u8]), .. chunks]));
        add("png_two_ihdr.png", Cls, Corrupt, PngChunks.Join([chunks[0], .. chunks]));

        byte[] raw = RawScanlines(32, 24, 3);
        add("png_idat_garbage_zlib.png", Cls, Corrupt, ReplaceIdat(chunks, Garbage(400, 11)));
        add("png_idat_bad_zlib_header.png", Cls, Corrupt, ReplaceIdat(chunks, [0x78, 0x00, .. PngChunks.Zlib(raw)[2..]]));
        add("png_idat_short_stream.png", Cls, Corrupt, ReplaceIdat(chunks, PngChunks.Zlib(raw.AsSpan(0, raw.Length / 2))));
        add("png_idat_one_row_missing.png", Cls, Corrupt, ReplaceIdat(chunks, PngChunks.Zlib(raw.AsSpan(0, raw.Length - (1 + (32 * 3))))));
        add("png_idat_cut_deflate.png", Cls, Corrupt, ReplaceIdat(chunks, PngChunks.Zlib(raw)[..^20]));
        add("png_idat_bad_adler.png", Cls, Corrupt, ReplaceIdat(chunks, FlipByte(PngChunks.Zlib(raw), PngChunks.Zlib(raw).Length - 1)));
        add("png_idat_extra_data.png", Cls, Accepted, ReplaceIdat(chunks, PngChunks.Zlib([.. raw, .. new byte[500]])));
        byte[] badFilter = [.. raw];
        badFilter[(1 + (32 * 3)) * 5] = 7;
        add("png_bad_filter_type.png", Cls, Corrupt, ReplaceIdat(chunks, PngChunks.Zlib(badFilter)));
        byte[] badFirstFilter = [.. raw];
        badFirstFilter[0] = 0xFF;
        add("png_bad_filter_first_row.png", Cls, Corrupt, ReplaceIdat(chunks, PngChunks.Zlib(badFirstFilter)));
        add("png_idat_zlib_bomb.png", "png-idat-bomb", Accepted, PngChunks.Join([(chunks[0].Type, chunks[0].Data), ("IDAT", PngChunks.ZlibOfZeros(64L * 1024 * 1024)), ("IEND", [])]));

        byte[] Header(uint w, uint h, byte depth, byte colour, byte interlace = 0, byte compression = 0, byte filter = 0) =>
            PngChunks.File(PngChunks.Ihdr(w, h, depth, colour, interlace, compression, filter), PngChunks.Chunk("IDAT", PngChunks.Zlib(new byte[(Math.Min(w, 16) * 3) + 1])), PngChunks.Chunk("IEND", []));
        add("png_ihdr_zero_width.png", Cls, Corrupt, Header(0, 1, 8, 2));
        add("png_ihdr_zero_height.png", Cls, Corrupt, Header(1, 0, 8, 2));
        add("png_ihdr_width_2pow31.png", Cls, Corrupt, Header(0x80000000, 1, 8, 2));
        add("png_ihdr_width_max_uint.png", Cls, Corrupt, Header(0xFFFFFFFF, 1, 8, 2));
        add("png_ihdr_bad_depth_3.png", Cls, Corrupt, Header(1, 1, 3, 2));
        add("png_ihdr_bad_depth_4_rgb.png", Cls, Corrupt, Header(1, 1, 4, 2));
        add("png_ihdr_bad_colour_type_5.png", Cls, Corrupt, Header(1, 1, 8, 5));
        add("png_ihdr_bad_colour_type_255.png", Cls, Corrupt, Header(1, 1, 8, 255));
        add("png_ihdr_bad_interlace.png", Cls, Corrupt, Header(1, 1, 8, 2, interlace: 2));
        add("png_ihdr_bad_compression.png", Cls, Corrupt, Header(1, 1, 8, 2, compression: 1));
        add("png_ihdr_bad_filter_method.png", Cls, Corrupt, Header(1, 1, 8, 2, filter: 1));
        add("png_ihdr_short.png", Cls, Corrupt, PngChunks.File(PngChunks.Chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8]), PngChunks.Chunk("IEND", [])));

        byte[] palette = EncodeGradient(32, 24, Png(PngColorType.Palette));
        List<(string Type, byte[] Data)> paletteChunks = PngChunks.Split(palette);
        add("png_palette_missing_plte.png", Cls, Corrupt, PngChunks.Join(paletteChunks.Where(c => c.Type != "PLTE")));
        add("png_palette_plte_300_entries.png", Cls, Corrupt, PngChunks.Join(paletteChunks.Select(c => c.Type == "PLTE" ? (c.Type, Garbage(900, 3)) : c)));
        add("png_palette_plte_not_multiple_of_3.png", Cls, Corrupt, PngChunks.Join(paletteChunks.Select(c => c.Type == "PLTE" ? (c.Type, c.Data[..^1]) : c)));
        add("png_palette_plte_empty.png", Cls, Corrupt, PngChunks.Join(paletteChunks.Select(c => c.Type == "PLTE" ? (c.Type, Array.Empty<byte>()) : c)));
        add("png_palette_index_beyond_plte.png", Cls, Accepted, PngChunks.Join(paletteChunks.Select(c => c.Type == "PLTE" ? (c.Type, c.Data[..6]) : c)));
        add("png_palette_trns_too_long.png", Cls, Accepted, InsertBeforeIdat(palette, ("tRNS", Garbage(300, 9))));
        add("png_plte_after_idat.png", Cls, Corrupt, PngChunks.Join([.. paletteChunks.Where(c => c.Type is not ("PLTE" or "IEND")), paletteChunks.First(c => c.Type == "PLTE"), ("IEND", [])]));
        add("png_idat_not_consecutive.png", Cls, Corrupt, SplitIdatAroundText(png));
        add("png_critical_unknown_chunk.png", Cls, Corrupt, InsertBeforeIdat(png, ("XYZW", [1, 2, 3])));
        add("png_chunk_length_huge.png", Cls, Corrupt, SetUInt32BigEndian(png, idatAt - 4, 0x7FFFFFF0));
        add("png_chunk_length_negative.png", Cls, Corrupt, SetUInt32BigEndian(png, idatAt - 4, 0xFFFFFFF0));
        add("png_bad_signature_byte.png", Cls, Unsupported, FlipByte(png, 4));
    }

    private static void DamagedJpeg(Action<string, string, string, byte[]> add)
    {
        const string Cls = "damaged-jpeg";
        byte[] jpeg = Jpeg();
        (List<(byte Code, byte[] Bytes)> segments, int scanAt) = JpegSegments.Header(jpeg);
        add("jpeg_ffd8ffd9.jpg", Cls, Corrupt, [0xFF, 0xD8, 0xFF, 0xD9]);
        add("jpeg_soi_only.jpg", Cls, Corrupt, [0xFF, 0xD8, 0xFF]);
        add("jpeg_no_scan.jpg", Cls, Corrupt, [.. jpeg[..scanAt], 0xFF, 0xD9]);
        add("jpeg_no_frame.jpg", Cls, Corrupt, JpegSegments.RemoveAll(jpeg, 0xC0));
        add("jpeg_no_huffman_tables.jpg", Cls, Corrupt, JpegSegments.RemoveAll(jpeg, 0xC4));
        add("jpeg_no_quantisation_tables.jpg", Cls, Corrupt, JpegSegments.RemoveAll(jpeg, 0xDB));
        add("jpeg_huffman_counts_overflow.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC4, s => Array.Fill(s, (byte)0xFF, 5, 16)));
        add("jpeg_huffman_oversubscribed.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC4, s =>
        {
            Array.Clear(s, 5, 16);
            s[5] = 3;
        }));
        add("jpeg_huffman_bad_class.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC4, s => s[4] = 0x27));
        add("jpeg_dqt_bad_table_id.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xDB, s => s[4] = 0x0C));
        add("jpeg_dqt_bad_precision.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xDB, s => s[4] = 0x50));
        add("jpeg_sof_zero_width.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => { s[7] = 0; s[8] = 0; }));
        add("jpeg_sof_zero_height.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => { s[5] = 0; s[6] = 0; }));
        add("jpeg_sof_zero_components.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => s[9] = 0));
        add("jpeg_sof_five_components.jpg", Cls, Unsupported, JpegSegments.EditFirst(jpeg, 0xC0, s => s[9] = 5));
        add("jpeg_sof_zero_sampling.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => s[11] = 0));
        add("jpeg_sof_sampling_15.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => s[11] = 0xFF));
        add("jpeg_sof_bad_quant_table.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => s[12] = 9));
        add("jpeg_sof_precision_12.jpg", Cls, Unsupported, JpegSegments.EditFirst(jpeg, 0xC0, s => s[4] = 12));
        add("jpeg_sof_precision_3.jpg", Cls, Corrupt, JpegSegments.EditFirst(jpeg, 0xC0, s => s[4] = 3));
        add("jpeg_sof3_lossless.jpg", "unsupported-jpeg", Unsupported, JpegSegments.EditFirst(jpeg, 0xC0, s => s[1] = 0xC3));
        add("jpeg_sof5_hierarchical.jpg", "unsupported-jpeg", Unsupported, JpegSegments.EditFirst(jpeg, 0xC0, s => s[1] = 0xC5));
        add("jpeg_sof9_arithmetic_with_huffman_data.jpg", "unsupported-jpeg", Unsupported, JpegSegments.EditFirst(jpeg, 0xC0, s => s[1] = 0xC9));
        int sos = scanAt;
        add("jpeg_sos_bad_component.jpg", Cls, Corrupt, SetByte(jpeg, sos + 5, 9));
        add("jpeg_sos_bad_table.jpg", Cls, Corrupt, SetByte(jpeg, sos + 6, 0x33));
        add("jpeg_sos_zero_components.jpg", Cls, Corrupt, SetByte(jpeg, sos + 4, 0));
        add("jpeg_sos_length_huge.jpg", Cls, Corrupt, SetUInt16BigEndian(jpeg, sos + 2, 0xFFF0));
        int dataAt = sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
        add("jpeg_scan_garbage.jpg", Cls, Accepted, [.. jpeg[..dataAt], .. Garbage(jpeg.Length - dataAt - 2, 13).Select(b => b == 0xFF ? (byte)0xFE : b), 0xFF, 0xD9]);
        add("jpeg_scan_empty.jpg", Cls, Accepted, [.. jpeg[..dataAt], 0xFF, 0xD9]);
        add("jpeg_segment_length_zero.jpg", Cls, Corrupt, SetUInt16BigEndian(jpeg, 4, 0));
        add("jpeg_segment_length_past_end.jpg", Cls, Corrupt, SetUInt16BigEndian(jpeg, 4, 0xFFFF));
        add("jpeg_bad_marker.jpg", Cls, Unsupported, [0xFF, 0xD8, 0x12, 0x34, .. jpeg[2..]]);
        add("jpeg_dri_zero_restart_garbage.jpg", Cls, Accepted, JpegSegments.InsertAfterSoi(jpeg, JpegSegments.Segment(0xDD, [0, 0])));
        add("jpeg_dri_restart_every_mcu_no_markers.jpg", Cls, Accepted, JpegSegments.InsertAfterSoi(jpeg, JpegSegments.Segment(0xDD, [0, 1])));
        add("jpeg_two_sof.jpg", Cls, Corrupt, JpegSegments.Rebuild(jpeg, [.. segments.Select(s => s.Bytes), segments.First(s => s.Code == 0xC0).Bytes], scanAt));
        add("jpeg_progressive_no_scans.jpg", Cls, Corrupt, ProgressiveWithoutScans());
    }

    private static void DamagedGif(Action<string, string, string, byte[]> add)
    {
        const string Cls = "damaged-gif";
        byte[] gif = Gif();
        int table = 13 + (3 * (1 << ((gif[10] & 7) + 1)));
        int descriptor = IndexOfByte(gif, 0x2C, table);
        add("gif_no_image.gif", Cls, Corrupt, [.. gif[..table], 0x3B]);
        add("gif_header_only.gif", Cls, Corrupt, gif[..13]);
        add("gif_unknown_block.gif", Cls, Corrupt, SetByte(gif, descriptor, 0x99));
        add("gif_lzw_code_size_0.gif", Cls, Accepted, SetByte(gif, descriptor + 10, 0));
        add("gif_lzw_code_size_12.gif", Cls, Corrupt, SetByte(gif, descriptor + 10, 12));
        add("gif_lzw_code_size_255.gif", Cls, Corrupt, SetByte(gif, descriptor + 10, 255));
        byte[] garbageLzw = [.. gif];
        for (int i = descriptor + 12; i < garbageLzw.Length - 3 && garbageLzw[i - 1] != 0; i++)
        {
            garbageLzw[i] = (byte)(i * 37);
        }

        add("gif_lzw_garbage.gif", Cls, Corrupt, garbageLzw);
        add("gif_lzw_no_data.gif", Cls, Corrupt, [.. gif[..(descriptor + 11)], 0x00, 0x3B]);
        add("gif_zero_screen.gif", Cls, Corrupt, SetUInt16LittleEndian(SetUInt16LittleEndian(gif, 6, 0), 8, 0));
        add("gif_zero_frame.gif", Cls, Corrupt, SetUInt16LittleEndian(SetUInt16LittleEndian(gif, descriptor + 5, 0), descriptor + 7, 0));
        add("gif_frame_outside_screen.gif", Cls, Accepted, SetUInt16LittleEndian(gif, descriptor + 1, 30000));
        add("gif_no_trailer.gif", Cls, Corrupt, gif[..^1]);
        add("gif_sub_block_runs_off.gif", Cls, Corrupt, [.. gif[..(descriptor + 11)], 0xFF, .. Garbage(20, 4)]);
        add("gif_87a_version.gif", Cls, Accepted, SetByte(gif, 4, (byte)'7'));
        add("gif_bad_version.gif", Cls, Unsupported, SetByte(gif, 4, (byte)'8'));
        add("gif_no_colour_table.gif", Cls, Accepted, GifWithoutColourTables(gif));
    }

    private static void DamagedBmp(Action<string, string, string, byte[]> add)
    {
        const string Cls = "damaged-bmp";
        byte[] bmp = Bmp();
        byte[] bmp8 = Bmp(BmpBitsPerPixel.Pixel8);
        add("bmp_huge_palette_count.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp8, 46, 0x7FFFFFFF));
        add("bmp_palette_count_over_256.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp8, 46, 257));
        add("bmp_palette_count_max_uint.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp8, 46, 0xFFFFFFFF));
        add("bmp_24bit_huge_palette_count.bmp", Cls, Accepted, SetUInt32LittleEndian(bmp, 46, 0x40000000));
        add("bmp_bad_bpp_7.bmp", Cls, Corrupt, SetUInt16LittleEndian(bmp, 28, 7));
        add("bmp_bad_bpp_0.bmp", Cls, Corrupt, SetUInt16LittleEndian(bmp, 28, 0));
        add("bmp_offset_beyond_end.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp, 10, 1_000_000));
        add("bmp_offset_inside_header.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp, 10, 4));
        add("bmp_zero_width.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp, 18, 0));
        add("bmp_zero_height.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp, 22, 0));
        add("bmp_negative_width.bmp", Cls, Corrupt, SetUInt32LittleEndian(bmp, 18, 0xFFFFFFE0));
        add("bmp_height_min_int.bmp", Cls, TooLarge, SetUInt32LittleEndian(bmp, 22, 0x80000000));
        add("bmp_bad_planes.bmp", Cls, Accepted, SetUInt16LittleEndian(bmp, 26, 0));
        add("bmp_header_size_bad.bmp", Cls, Unsupported, SetUInt32LittleEndian(bmp, 14, 99));
        add("bmp_compression_jpeg.bmp", "unsupported-bmp", Unsupported, SetUInt32LittleEndian(bmp, 30, 4));
        add("bmp_compression_png.bmp", "unsupported-bmp", Unsupported, SetUInt32LittleEndian(bmp, 30, 5));
        add("bmp_compression_unknown.bmp", Cls, Unsupported, SetUInt32LittleEndian(bmp, 30, 77));
        add("bmp_rle8_garbage.bmp", Cls, Corrupt, Rle8(Garbage(200, 21)));
        add("bmp_rle8_delta_off_image.bmp", Cls, Corrupt, Rle8([0x00, 0x02, 0xFF, 0xFF, 0x02, 0x05, 0x00, 0x01]));
        add("bmp_rle8_absolute_runs_off.bmp", Cls, Corrupt, Rle8([0x00, 0xFF, 1, 2, 3]));
        add("bmp_rle8_no_end.bmp", Cls, Corrupt, Rle8([0x04, 0x01]));
        add("bmp_rle8_valid.bmp", "valid", Accepted, Rle8([0x04, 0x01, 0x04, 0x02, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03, 0x00, 0x05, 0x01, 0x00, 0x00, 0x02, 0x02, 0x00, 0x02, 0x06, 0x00, 0x00, 0x01]));
        add("bmp_rle8_early_end.bmp", Cls, Corrupt, Rle8([0x04, 0x01, 0x04, 0x02, 0x00, 0x00, 0x04, 0x03, 0x04, 0x00, 0x00, 0x01]));
        add("bmp_rle8_delta_valid.bmp", "valid", Accepted, Rle8([0x08, 0x01, 0x00, 0x02, 0x00, 0x01, 0x08, 0x02, 0x08, 0x03, 0x00, 0x01]));
        add("bmp_bitfields_zero_masks.bmp", Cls, Corrupt, BitfieldsBmp(0, 0, 0));
        add("bmp_bitfields_overlapping_masks.bmp", "bmp-unusual-bitfields", Accepted, BitfieldsBmp(0xFF00, 0xFF00, 0xFF00));
        add("bmp_bitfields_valid_565.bmp", "valid", Accepted, BitfieldsBmp(0xF800, 0x07E0, 0x001F));
        add("bmp_file_size_field_wrong.bmp", Cls, Accepted, SetUInt32LittleEndian(bmp, 2, 12345678));
    }

    private static void DamagedWebP(Action<string, string, string, byte[]> add)
    {
        const string Cls = "damaged-webp";
        byte[] lossy = WebPLossy();
        byte[] lossless = WebPLossless();
        add("webp_riff_size_small.webp", Cls, Corrupt, SetUInt32LittleEndian(lossy, 4, 20));
        add("webp_riff_size_huge.webp", Cls, Corrupt, SetUInt32LittleEndian(lossy, 4, 0xFFFFFFF0));
        add("webp_riff_size_odd_extra.webp", Cls, Accepted, [.. lossless, 0]);
        add("webp_vp8_chunk_size_huge.webp", Cls, Corrupt, SetUInt32LittleEndian(lossy, 16, 0x7FFFFFF0));
        add("webp_vp8_bad_start_code.webp", Cls, Corrupt, SetByte(lossy, 23, 0x00));
        add("webp_vp8_not_keyframe.webp", Cls, Corrupt, SetByte(lossy, 20, (byte)(lossy[20] | 1)));
        add("webp_vp8_partition_overflow.webp", Cls, Corrupt, SetByte(SetByte(lossy, 21, 0xFF), 22, 0xFF));
        add("webp_vp8_bad_version.webp", Cls, Corrupt, SetByte(lossy, 20, (byte)(lossy[20] | 0x0E)));
        add("webp_vp8_zero_width.webp", Cls, Corrupt, SetUInt16LittleEndian(lossy, 26, 0));
        add("webp_vp8_garbage_body.webp", Cls, Accepted, [.. lossy[..30], .. Garbage(lossy.Length - 30, 17)]);
        add("webp_vp8l_bad_signature.webp", Cls, Corrupt, SetByte(lossless, 20, 0x2E));
        add("webp_vp8l_bad_version.webp", Cls, Unsupported, SetByte(lossless, 24, (byte)(lossless[24] | 0xE0)));
        add("webp_vp8l_garbage_body.webp", Cls, Corrupt, [.. lossless[..25], .. Garbage(lossless.Length - 25, 19)]);
        add("webp_no_image_chunk.webp", Cls, Corrupt, WebPRiff([.. "ICCP"u8, 4, 0, 0, 0, 1, 2, 3, 4]));
        add("webp_empty_riff.webp", Cls, Corrupt, WebPRiff([]));
        add("webp_vp8x_no_image.webp", Cls, Corrupt, WebPRiff(Vp8x(0, 31, 23)));
        add("webp_vp8x_canvas_mismatch.webp", Cls, Corrupt, WebPRiff([.. Vp8x(0, 99, 99), .. lossless[12..]]));
        add("webp_unknown_fourcc_first.webp", Cls, Corrupt, WebPRiff([.. "ABCD"u8, 4, 0, 0, 0, 1, 2, 3, 4]));
        byte[] animated = PillowSeeds.AnimatedLosslessWebP;
        int anmf = IndexOf(animated, "ANMF"u8);
        add("webp_anim_frame_outside_canvas.webp", Cls, Corrupt, SetByte(animated, anmf + 8, 0xFF));
        add("webp_anim_frame_too_wide.webp", Cls, Corrupt, SetByte(animated, anmf + 14, 0xFF));
        add("webp_anim_no_frames.webp", Cls, Corrupt, WebPRiff(animated[12..anmf]));
        add("webp_anim_frame_short.webp", Cls, Corrupt, WebPRiff([.. animated[12..anmf], .. "ANMF"u8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        add("webp_anim_frame_without_bitstream.webp", Cls, Corrupt, WebPRiff([.. animated[12..anmf], .. "ANMF"u8, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 15, 0, 0, 100, 0, 0, 0]));
        add("webp_anim_flag_on_still.webp", Cls, Corrupt, WebPRiff([.. Vp8x(0x02, 31, 23), .. lossless[12..]]));
    }

    private static void GiantHeaders(Action<string, string, string, byte[]> add)
    {
        const string Cls = "giant-dimensions";
        byte[] idat = PngChunks.Chunk("IDAT", PngChunks.Zlib(new byte[100]));
        byte[] iend = PngChunks.Chunk("IEND", []);
        add("giant_png_100000x100000.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(100000, 100000, 8, 2), idat, iend));
        add("giant_png_2pow31m1_square.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(0x7FFFFFFF, 0x7FFFFFFF, 8, 6), idat, iend));
        add("giant_png_20000x1.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(20000, 1, 8, 2), idat, iend));
        add("giant_png_1x20000.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(1, 20000, 8, 2), idat, iend));
        add("giant_png_7000x7000_16bit.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(7000, 7000, 16, 6), idat, iend));
        add("giant_png_16384x16384_adam7.png", Cls, TooLarge, PngChunks.File(PngChunks.Ihdr(16384, 16384, 8, 2, interlace: 1), idat, iend));
        byte[] jpeg = Jpeg();
        add("giant_jpeg_65535x65535.jpg", Cls, TooLarge, JpegSegments.EditFirst(jpeg, 0xC0, s => { s[5] = 0xFF; s[6] = 0xFF; s[7] = 0xFF; s[8] = 0xFF; }));
        add("giant_jpeg_65535x1.jpg", Cls, TooLarge, JpegSegments.EditFirst(jpeg, 0xC0, s => { s[5] = 0; s[6] = 1; s[7] = 0xFF; s[8] = 0xFF; }));
        add("giant_jpeg_8000x8000_truncated.jpg", Cls, TooLarge, JpegSegments.EditFirst(jpeg, 0xC0, s => { s[5] = 0x1F; s[6] = 0x40; s[7] = 0x1F; s[8] = 0x40; })[..^200]);
        byte[] gif = Gif();
        add("giant_gif_65535x65535.gif", Cls, TooLarge, SetUInt16LittleEndian(SetUInt16LittleEndian(gif, 6, 0xFFFF), 8, 0xFFFF));
        int descriptor = IndexOfByte(gif, 0x2C, 13 + (3 * (1 << ((gif[10] & 7) + 1))));
        add("giant_gif_frame_65535x65535.gif", Cls, Corrupt, SetUInt16LittleEndian(SetUInt16LittleEndian(gif, descriptor + 5, 0xFFFF), descriptor + 7, 0xFFFF));
        byte[] bmp = Bmp();
        add("giant_bmp_100000x100000.bmp", Cls, TooLarge, SetUInt32LittleEndian(SetUInt32LittleEndian(bmp, 18, 100000), 22, 100000));
        add("giant_bmp_topdown_20000.bmp", Cls, TooLarge, SetUInt32LittleEndian(bmp, 22, unchecked((uint)-20000)));
        add("giant_bmp_2pow30_wide.bmp", Cls, TooLarge, SetUInt32LittleEndian(bmp, 18, 0x40000000));
        add("giant_webp_vp8x_16m.webp", Cls, TooLarge, WebPRiff([.. Vp8x(0, 0xFFFFFF, 0xFFFFFF), .. WebPLossless()[12..]]));
        add("giant_webp_vp8x_anim_16m.webp", Cls, TooLarge, SetUInt24(SetUInt24(PillowSeeds.AnimatedLosslessWebP, 24, 0xFFFFFF), 27, 0xFFFFFF));
        add("giant_webp_vp8l_16384x16384.webp", Cls, TooLarge, Vp8lHeaderOnly(16384, 16384));
        add("giant_webp_vp8_16383x16383.webp", Cls, TooLarge, SetUInt16LittleEndian(SetUInt16LittleEndian(WebPLossy(), 26, 0x3FFF), 28, 0x3FFF));
    }

    private static void OtherFormats(Action<string, string, string, byte[]> add)
    {
        const string Cls = "other-format";
        add("empty.bin", "empty", Empty, []);
        add("tiff_le.tif", Cls, Unsupported, [.. "II*\0"u8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        add("tiff_be.tif", Cls, Unsupported, [.. "MM\0*"u8, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0]);
        add("bigtiff.tif", Cls, Unsupported, [.. "II+\0"u8, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]);
        add("netpbm.ppm", Cls, Unsupported, [.. "P6\n2 2\n255\n"u8, .. Garbage(12, 1)]);
        add("netpbm.pgm", Cls, Unsupported, [.. "P5 2 2 255\n"u8, 1, 2, 3, 4]);
        add("netpbm.pbm", Cls, Unsupported, [.. "P1\n2 2\n0 1 1 0\n"u8]);
        add("netpbm.pam", Cls, Unsupported, [.. "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nENDHDR\n"u8, 1, 2, 3]);
        byte[] tga = new byte[18 + 12];
        tga[2] = 2;
        tga[12] = 2;
        tga[14] = 2;
        tga[16] = 24;
        add("tga_no_footer.tga", Cls, Unsupported, tga);
        add("tga_with_footer.tga", Cls, Unsupported, [.. tga, 0, 0, 0, 0, 0, 0, 0, 0, .. "TRUEVISION-XFILE.\0"u8]);
        add("icon.ico", Cls, Unsupported, [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 22, 0, 0, 0]);
        add("cursor.cur", Cls, Unsupported, [0, 0, 2, 0, 1, 0, 16, 16, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0, 0]);
        add("photoshop.psd", Cls, Unsupported, [.. "8BPS"u8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
        add("jpeg2000.jp2", Cls, Unsupported, [0, 0, 0, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]);
        add("jpeg2000.j2k", Cls, Unsupported, [0xFF, 0x4F, 0xFF, 0x51, 0, 0x2F, 0, 0]);
        add("jpegxl_codestream.jxl", Cls, Unsupported, [0xFF, 0x0A, 0xFA, 0x7F, 0x01]);
        add("jpegxl_box.jxl", Cls, Unsupported, [0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20, 0x0D, 0x0A, 0x87, 0x0A]);
        add("image.qoi", Cls, Unsupported, [.. "qoif"u8, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 0xFE, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1]);
        add("image.avif", Cls, Unsupported, [0, 0, 0, 0x1C, .. "ftypavif"u8, 0, 0, 0, 0, .. "avifmif1miaf"u8]);
        add("image.heic", Cls, Unsupported, [0, 0, 0, 0x18, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8]);
        add("document.pdf", Cls, Unsupported, [.. "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"u8]);
        add("drawing.svg", Cls, Unsupported, [.. "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"u8]);
        add("drawing_xml.svg", Cls, Unsupported, [.. "\uFEFF<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8]);
        add("page.html", "not-an-image", Unsupported, [.. "<!doctype html><html><body>hi</body></html>"u8]);
        add("text.txt", "not-an-image", Unsupported, [.. "just some text, not an image\n"u8]);
        add("text_starting_bm.txt", "not-an-image", Unsupported, [.. "BMW is a car maker, and this is not a bitmap at all.\n"u8]);
        add("json.json", "not-an-image", Unsupported, [.. "{\"image\": \"cat.jpg\"}"u8]);
        add("elf.bin", "not-an-image", Unsupported, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, .. new byte[56]]);
        add("archive.zip", "not-an-image", Unsupported, ZipOf("a.png", PngRgb(4, 4)));
        add("archive.gz", "not-an-image", Unsupported, Gzip(PngRgb(4, 4)));
        add("random_4k.bin", "not-an-image", Unsupported, [0x00, .. Garbage(4095, 99)]);
        add("zeros_4k.bin", "not-an-image", Unsupported, new byte[4096]);
        add("ones_4k.bin", "not-an-image", Unsupported, Enumerable.Repeat((byte)0xFF, 4096).ToArray());
        add("one_byte.bin", "not-an-image", Unsupported, [0x42]);
        add("bm_only.bmp", "truncated-bmp", Corrupt, [.. "BM"u8]);
        add("riff_wave.wav", "not-an-image", Unsupported, [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]);
        add("png_magic_in_text.txt", "not-an-image", Unsupported, [.. " \x89PNG\r\n\x1a\n"u8, .. PngRgb(4, 4)[8..]]);
        add("utf16_text.txt", "not-an-image", Unsupported, Encoding.Unicode.GetBytes("\uFEFFhello image"));
    }

    private static byte[] Garbage(int count, uint seed)
    {
        byte[] bytes = new byte[count];
        uint s = seed;
        for (int i = 0; i < count; i++)
        {
            s = unchecked((s * 1103515245) + 12345);
            bytes[i] = (byte)(s >> 16);
        }

        return bytes;
    }

    private static byte[] FlipByte(byte[] bytes, int at) => SetByte(bytes, at, (byte)(bytes[at] ^ 0x5A));

    private static byte[] SetByte(byte[] bytes, int at, byte value)
    {
        byte[] copy = [.. bytes];
        copy[at] = value;
        return copy;
    }

    private static byte[] SetUInt16LittleEndian(byte[] bytes, int at, ushort value)
    {
        byte[] copy = [.. bytes];
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), value);
        return copy;
    }

    private static byte[] SetUInt16BigEndian(byte[] bytes, int at, ushort value)
    {
        byte[] copy = [.. bytes];
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at), value);
        return copy;
    }

    private static byte[] SetUInt32LittleEndian(byte[] bytes, int at, uint value)
    {
        byte[] copy = [.. bytes];
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
        return copy;
    }

    private static byte[] SetUInt32BigEndian(byte[] bytes, int at, uint value)
    {
        byte[] copy = [.. bytes];
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(at), value);
        return copy;
    }

    private static byte[] SetUInt24(byte[] bytes, int at, int value)
    {
        byte[] copy = [.. bytes];
        copy[at] = (byte)value;
        copy[at + 1] = (byte)(value >> 8);
        copy[at + 2] = (byte)(value >> 16);
        return copy;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what) => bytes.AsSpan().IndexOf(what);

    private static int IndexOfByte(byte[] bytes, byte what, int from) => from + bytes.AsSpan(from).IndexOf(what);

    /// <summary>
    /// An Adam7-interlaced PNG written by the specification: passes without pixels contribute nothing (no filter
    /// byte), each pass row is filter 0 (None) with the samples of a deterministic pattern. Colour type 3 gets a
    /// 16-entry grey palette.
    /// </summary>
    private static byte[] Adam7Png(int width, int height, byte colourType, byte depth)
    {
        int[] startX = [0, 4, 0, 2, 0, 1, 0];
        int[] startY = [0, 0, 4, 0, 2, 0, 1];
        int[] stepX = [8, 8, 4, 4, 2, 2, 1];
        int[] stepY = [8, 8, 8, 4, 4, 2, 2];
        int channels = colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = channels * depth;
        List<byte> raw = [];
        uint s = (uint)((width * 1000) + height);
        for (int pass = 0; pass < 7; pass++)
        {
            int columns = width > startX[pass] ? (width - startX[pass] + stepX[pass] - 1) / stepX[pass] : 0;
            int rows = height > startY[pass] ? (height - startY[pass] + stepY[pass] - 1) / stepY[pass] : 0;
            if (columns == 0 || rows == 0)
            {
                continue;
            }

            int rowBytes = ((columns * bitsPerPixel) + 7) / 8;
            for (int y = 0; y < rows; y++)
            {
                raw.Add(0);
                for (int i = 0; i < rowBytes; i++)
                {
                    s = unchecked((s * 1103515245) + 12345);
                    // Palette indices must stay inside the 16-entry palette; unused low bits of the last byte stay zero.
                    byte value = (byte)(s >> 16);
                    raw.Add(colourType == 3 && depth == 8 ? (byte)(value & 0x0F) : value);
                }

                int spare = (rowBytes * 8) - (columns * bitsPerPixel);
                raw[^1] &= (byte)(0xFF << spare);
            }
        }

        List<byte[]> chunks = [PngChunks.Ihdr((uint)width, (uint)height, depth, colourType, interlace: 1)];
        if (colourType == 3)
        {
            chunks.Add(PngChunks.Chunk("PLTE", Enumerable.Range(0, 16).SelectMany(i => new[] { (byte)(i * 17), (byte)(i * 17), (byte)(i * 17) }).ToArray()));
        }

        chunks.Add(PngChunks.Chunk("IDAT", PngChunks.Zlib([.. raw])));
        chunks.Add(PngChunks.Chunk("IEND", []));
        return PngChunks.File([.. chunks]);
    }

    /// <summary>Filter byte 0 then the gradient's RGB bytes, per row: the raw data PngRgb(width, height) deflates.</summary>
    private static byte[] RawScanlines(int width, int height, int channels)
    {
        byte[] raw = new byte[height * (1 + (width * channels))];
        for (int y = 0; y < height; y++)
        {
            int row = y * (1 + (width * channels));
            for (int x = 0; x < width; x++)
            {
                raw[row + 1 + (x * 3)] = (byte)(x * 255 / Math.Max(1, width - 1));
                raw[row + 2 + (x * 3)] = (byte)(y * 255 / Math.Max(1, height - 1));
                raw[row + 3 + (x * 3)] = 128;
            }
        }

        return raw;
    }

    private static byte[] ReplaceIdat(List<(string Type, byte[] Data)> chunks, byte[] zlib)
    {
        List<(string, byte[])> result = [];
        bool written = false;
        foreach ((string type, byte[] data) in chunks)
        {
            if (type != "IDAT")
            {
                result.Add((type, data));
            }
            else if (!written)
            {
                written = true;
                result.Add(("IDAT", zlib));
            }
        }

        return PngChunks.Join(result);
    }

    /// <summary>The same PNG with its zlib stream in stored (uncompressed) deflate blocks.</summary>
    private static byte[] PngStored(byte[] png)
    {
        using MemoryStream raw = new();
        using (ZLibStream inflate = new(new MemoryStream(PngChunks.ImageData(png)), CompressionMode.Decompress))
        {
            inflate.CopyTo(raw);
        }

        return ReplaceIdat(PngChunks.Split(png), PngChunks.Zlib(raw.ToArray(), CompressionLevel.NoCompression));
    }

    private static byte[] InsertBeforeIend(byte[] png, (string Type, byte[] Data) chunk)
    {
        List<(string Type, byte[] Data)> chunks = PngChunks.Split(png);
        chunks.Insert(chunks.Count - 1, chunk);
        return PngChunks.Join(chunks);
    }

    private static byte[] InsertBeforeIdat(byte[] png, (string Type, byte[] Data) chunk)
    {
        List<(string Type, byte[] Data)> chunks = PngChunks.Split(png);
        chunks.Insert(chunks.FindIndex(c => c.Type == "IDAT"), chunk);
        return PngChunks.Join(chunks);
    }

    /// <summary>The IDAT stream in two chunks with a tEXt chunk between them (not allowed: IDATs must be consecutive).</summary>
    private static byte[] SplitIdatAroundText(byte[] png)
    {
        List<(string Type, byte[] Data)> chunks = PngChunks.Split(png);
        byte[] zlib = PngChunks.ImageData(png);
        int half = zlib.Length / 2;
        return PngChunks.Join([chunks[0], ("IDAT", zlib[..half]), ("tEXt", [.. "a\0b"u8]), ("IDAT", zlib[half..]), ("IEND", [])]);
    }

    private static byte[] JpegFillBytes(byte[] jpeg)
    {
        (List<(byte Code, byte[] Bytes)> segments, int scanAt) = JpegSegments.Header(jpeg);
        return JpegSegments.Rebuild(jpeg, segments.Select(s => (byte[])[0xFF, 0xFF, .. s.Bytes]), scanAt);
    }

    /// <summary>The progressive seed's header segments, then EOI: a frame with no scans at all.</summary>
    private static byte[] ProgressiveWithoutScans()
    {
        byte[] progressive = PillowSeeds.ProgressiveJpeg;
        (_, int scanAt) = JpegSegments.Header(progressive);
        return [.. progressive[..scanAt], 0xFF, 0xD9];
    }

    private static byte[] AnimatedGif()
    {
        using Image<Rgb24> first = Gradient(32, 24);
        using Image<Rgb24> second = Pattern(32, 24, (x, y) => new Rgb24(255, (byte)(x * 8), 0));
        first.Frames.AddFrame(second.Frames.RootFrame);
        return Encode(first, new GifEncoder());
    }

    /// <summary>Inserts an extension block (introducer, label, data in 255-byte sub-blocks, terminator) after the global colour table.</summary>
    private static byte[] GifWithExtension(byte[] gif, byte label, byte[] data)
    {
        List<byte> block = [0x21, label];
        for (int i = 0; i < data.Length; i += 255)
        {
            int size = Math.Min(255, data.Length - i);
            block.Add((byte)size);
            block.AddRange(data.AsSpan(i, size));
        }

        block.Add(0);
        return GifWithRawExtension(gif, [.. block]);
    }

    private static byte[] GifWithRawExtension(byte[] gif, byte[] block)
    {
        int at = 13 + ((gif[10] & 0x80) != 0 ? 3 * (1 << ((gif[10] & 7) + 1)) : 0);
        return [.. gif[..at], .. block, .. gif[at..]];
    }

    /// <summary>A GIF with no global (or local) colour table: decoders fall back to a default palette.</summary>
    private static byte[] GifWithoutColourTables(byte[] gif)
    {
        int table = 3 * (1 << ((gif[10] & 7) + 1));
        byte[] copy = [.. gif[..13], .. gif[(13 + table)..]];
        copy[10] &= 0x7F;
        return copy;
    }

    private static byte[] BmpTopDown(byte[] bmp)
    {
        int offset = BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(10));
        int width = BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(18));
        int height = BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(22));
        int stride = ((width * 24) + 31) / 32 * 4;
        byte[] copy = [.. bmp];
        for (int y = 0; y < height; y++)
        {
            bmp.AsSpan(offset + (y * stride), stride).CopyTo(copy.AsSpan(offset + ((height - 1 - y) * stride)));
        }

        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(22), -height);
        return copy;
    }

    /// <summary>An 8x4 8-bit RLE8 BMP with a 4-entry palette and the given RLE stream.</summary>
    private static byte[] Rle8(byte[] rle)
    {
        const int HeaderBytes = 14 + 40 + 16;
        byte[] bmp = new byte[HeaderBytes + rle.Length];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), (uint)bmp.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 8);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(30), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(34), (uint)rle.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(46), 4);
        byte[] palette = [0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0];
        palette.CopyTo(bmp.AsSpan(54));
        rle.CopyTo(bmp.AsSpan(HeaderBytes));
        return bmp;
    }

    /// <summary>A 4x2 16-bit BI_BITFIELDS BMP with the given masks.</summary>
    private static byte[] BitfieldsBmp(uint red, uint green, uint blue)
    {
        const int HeaderBytes = 14 + 40 + 12;
        byte[] bmp = new byte[HeaderBytes + 16];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), (uint)bmp.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 4);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(30), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(54), red);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(58), green);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(62), blue);
        Garbage(16, 5).CopyTo(bmp.AsSpan(HeaderBytes));
        return bmp;
    }

    private static byte[] WebPRiff(byte[] chunks)
    {
        byte[] riff = new byte[12 + chunks.Length];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)(4 + chunks.Length));
        "WEBP"u8.CopyTo(riff.AsSpan(8));
        chunks.CopyTo(riff.AsSpan(12));
        return riff;
    }

    private static byte[] Vp8x(byte flags, int canvasWidthMinusOne, int canvasHeightMinusOne)
    {
        byte[] chunk = new byte[18];
        "VP8X"u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), 10);
        chunk[8] = flags;
        chunk[12] = (byte)canvasWidthMinusOne;
        chunk[13] = (byte)(canvasWidthMinusOne >> 8);
        chunk[14] = (byte)(canvasWidthMinusOne >> 16);
        chunk[15] = (byte)canvasHeightMinusOne;
        chunk[16] = (byte)(canvasHeightMinusOne >> 8);
        chunk[17] = (byte)(canvasHeightMinusOne >> 16);
        return chunk;
    }

    private static byte[] WebPChunk(string fourCc, byte[] data)
    {
        byte[] chunk = new byte[8 + data.Length + (data.Length & 1)];
        Encoding.ASCII.GetBytes(fourCc, chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk.AsSpan(8));
        return chunk;
    }

    /// <summary>A still WebP rewritten as the extended format (VP8X) with ICCP/EXIF/XMP chunks around its bitstream.</summary>
    private static byte[] WebPWithChunks(byte[] still, byte[]? exif = null, byte[]? xmp = null, byte[]? iccp = null)
    {
        // VP8L carries its size in bits 0-13/14-27 after the signature; VP8 after the start code.
        ReadOnlySpan<byte> body = still.AsSpan(12);
        int width;
        int height;
        if (body[..4].SequenceEqual("VP8L"u8))
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(body[9..]);
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
        }
        else
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(body[16..]) & 0x3FFF;
        }

        byte flags = (byte)((iccp is null ? 0 : 0x20) | (exif is null ? 0 : 0x08) | (xmp is null ? 0 : 0x04));
        byte[] chunks = [.. Vp8x(flags, width - 1, height - 1), .. iccp is null ? [] : WebPChunk("ICCP", iccp), .. body, .. exif is null ? [] : WebPChunk("EXIF", exif), .. xmp is null ? [] : WebPChunk("XMP ", xmp)];
        return WebPRiff(chunks);
    }

    /// <summary>A lossless WebP with a valid header for the size and no usable bitstream behind it.</summary>
    private static byte[] Vp8lHeaderOnly(int width, int height)
    {
        byte[] data = new byte[5 + 16];
        data[0] = 0x2F;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), (uint)((width - 1) | ((height - 1) << 14)));
        return WebPRiff(WebPChunk("VP8L", data));
    }

    private static byte[] ZipOf(string name, ReadOnlySpan<byte> content)
    {
        using MemoryStream stream = new();
        using (ZipArchive zip = new(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using Stream write = entry.Open();
            write.Write(content);
        }

        return stream.ToArray();
    }

    private static byte[] Gzip(ReadOnlySpan<byte> content)
    {
        using MemoryStream stream = new();
        using (GZipStream gzip = new(stream, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return stream.ToArray();
    }
}
