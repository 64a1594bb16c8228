using System.Text;
using System.Text.RegularExpressions;
using Llava.Inference.Images;

namespace Llava.Inference.Tests.Images;

/// <summary>
/// The format named from the magic bytes, seen through the loader's answers: an accepted format names itself in its
/// rejection ("The PNG image cannot be used"), a refused one is named ("TIFF images are not supported"), and
/// anything else is "not a recognised image format". One sample per format the sniffer names, plus the nearest
/// miss of each rule (one byte short, one byte wrong), so each rule is pinned from both sides.
/// </summary>
public sealed partial class ImageFormatSnifferTests
{
    private const string Unrecognised = "(unrecognised)";

    private static readonly ImageLoader s_loader = new();

    [GeneratedRegex("^(?:The|This) (?:animated )?(?<name>JPEG|PNG|GIF|WebP|BMP) image")]
    private static partial Regex AcceptedFormatMessage();

    [GeneratedRegex("^(?<name>.+) images are not supported")]
    private static partial Regex RefusedFormatMessage();

    /// <summary>The format name the loader gives the bytes, or <see cref="Unrecognised"/>.</summary>
    private static string Named(byte[] data)
    {
        try
        {
            using DecodedImage image = s_loader.Load(data);
            return image.Format;
        }
        catch (ImageRejectedException e)
        {
            if (e.Message.StartsWith("The data is not a recognised image format", StringComparison.Ordinal))
            {
                Assert.Equal(ImageRejectionReason.Unsupported, e.Reason);
                return Unrecognised;
            }

            Match refused = RefusedFormatMessage().Match(e.Message);
            if (refused.Success)
            {
                Assert.Equal(ImageRejectionReason.Unsupported, e.Reason);
                return refused.Groups["name"].Value;
            }

            Match accepted = AcceptedFormatMessage().Match(e.Message);
            Assert.True(accepted.Success, $"Unexpected message: {e.Message}");
            return accepted.Groups["name"].Value;
        }
    }

    private static byte[] Bytes(params object[] parts) => [.. parts.SelectMany(p => p switch
    {
        string s => Encoding.Latin1.GetBytes(s),
        byte[] b => b,
        int i => [(byte)i],
        _ => throw new ArgumentException($"Unexpected part {p}."),
    })];

    private static byte[] Padded(byte[] head, int length = 64) => [.. head, .. new byte[Math.Max(0, length - head.Length)]];

    public static TheoryData<string, string> Samples() => new()
    {
        // Accepted formats.
        { "FFD8FF", "JPEG" },
        { "FFD8FFE000104A464946", "JPEG" },
        { "89504E470D0A1A0A", "PNG" },
        { "474946383761", "GIF" },
        { "474946383961", "GIF" },
        { "52494646000000005745425056503820", "WebP" },
        { "524946460000000057454250", "WebP" },
        { "424D", "BMP" },
        { "424D0000000000000000000000000000", "BMP" },
        { "424D000000000000000000000000000000", "BMP" },
        // Near misses of the accepted formats.
        { "FFD8", Unrecognised },
        { "FFD800", Unrecognised },
        { "FFD9FF", Unrecognised },
        { "89504E470D0A1A", Unrecognised },
        { "89504E470D0A1A0B", Unrecognised },
        { "474946383861", Unrecognised },
        { "4749463839", Unrecognised },
        { "5249464600000000574542", Unrecognised },
        { "52494646000000005741564500000000", Unrecognised },
        { "52494658000000005745425000000000", Unrecognised },
        { "42", Unrecognised },
        { "4D42", Unrecognised },
        // Refused formats, named.
        { "49492A00", "TIFF" },
        { "4D4D002A", "TIFF" },
        { "49492B00", "TIFF" },
        { "4D4D002B", "TIFF" },
        { "49492A01", Unrecognised },
        { "4D4D0029", Unrecognised },
        { "38425053", "PSD" },
        { "38425054", Unrecognised },
        { "0000000C6A502020", "JPEG 2000" },
        { "0000000C6A502021", Unrecognised },
        { "FF4FFF51", "JPEG 2000" },
        { "FF4FFF52", Unrecognised },
        { "FF0A", "JPEG XL" },
        { "FF0B", Unrecognised },
        { "0000000C4A584C20", "JPEG XL" },
        { "0000000C4A584C21", Unrecognised },
        { "716F6966", "QOI" },
        { "716F6967", Unrecognised },
        { "255044462D", "PDF" },
        { "25504445", Unrecognised },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Magic_bytes_name_the_format(string hex, string expected)
    {
        Assert.Equal(expected, Named(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(40)]
    [InlineData(52)]
    [InlineData(56)]
    [InlineData(64)]
    [InlineData(108)]
    [InlineData(124)]
    public void Bmp_needs_a_known_dib_header_size(int size)
    {
        byte[] bmp = Padded(Bytes("BM"), 64);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), size);
        Assert.Equal("BMP", Named(bmp));

        BitConverter.TryWriteBytes(bmp.AsSpan(14), size + 1);
        Assert.Equal(Unrecognised, Named(bmp));
    }

    [Fact]
    public void Text_that_starts_with_BM_is_not_a_bmp_once_the_header_size_can_be_read()
    {
        Assert.Equal(Unrecognised, Named(Bytes("BMW makes cars, and this is text")));
        // 17 bytes cannot hold the DIB header size: the BMP path reports it as truncated.
        Assert.Equal("BMP", Named(Bytes("BMW makes cars...")));
        Assert.Equal(Unrecognised, Named(Bytes("BMW makes cars....")));
    }

    [Theory]
    [InlineData('1', "PBM")]
    [InlineData('4', "PBM")]
    [InlineData('2', "PGM")]
    [InlineData('5', "PGM")]
    [InlineData('3', "PPM")]
    [InlineData('6', "PPM")]
    [InlineData('7', "PAM")]
    public void Netpbm_is_named_by_its_digit(char digit, string name)
    {
        foreach (string space in new[] { " ", "\t", "\n", "\r" })
        {
            Assert.Equal(name, Named(Bytes($"P{digit}{space}1 1 255\n", new byte[8])));
        }

        Assert.Equal(Unrecognised, Named(Bytes($"P{digit}x1 1 255\n")));
        Assert.Equal(Unrecognised, Named(Bytes($"P{digit}")));
    }

    [Theory]
    [InlineData('0')]
    [InlineData('8')]
    public void Netpbm_digits_outside_one_to_seven_are_not_recognised(char digit)
    {
        Assert.Equal(Unrecognised, Named(Bytes($"P{digit} 1 1 255\n")));
    }

    [Theory]
    [InlineData("avif", "AVIF")]
    [InlineData("avis", "AVIF")]
    [InlineData("heic", "HEIC")]
    [InlineData("heix", "HEIC")]
    [InlineData("mif1", "HEIC")]
    [InlineData("msf1", "HEIC")]
    [InlineData("hevc", "HEIC")]
    [InlineData("isom", Unrecognised)]
    [InlineData("avi ", Unrecognised)]
    public void Iso_media_files_are_named_by_their_brand(string brand, string name)
    {
        Assert.Equal(name, Named(Bytes(0, 0, 0, 0x18, "ftyp", brand, new byte[12])));
        // The brand must be whole: eleven bytes cannot hold it, and "ftyp" must be at offset 4.
        Assert.Equal(Unrecognised, Named(Bytes(0, 0, 0, 0x18, "ftyp", brand[..3])));
        Assert.Equal(Unrecognised, Named(Bytes(0, 0, 0, 0x18, "ftyq", brand, new byte[12])));
    }

    [Fact]
    public void Icons_and_cursors_must_list_an_image()
    {
        Assert.Equal("ICO", Named(Bytes(0, 0, 1, 0, 1, 0, new byte[16])));
        Assert.Equal("ICO", Named(Bytes(0, 0, 2, 0, 1, 0, new byte[16])));
        Assert.Equal("ICO", Named(Bytes(0, 0, 1, 0, 0, 1, new byte[16])));
        Assert.Equal(Unrecognised, Named(Bytes(0, 0, 1, 0, 0, 0, new byte[16])));
        Assert.Equal(Unrecognised, Named(Bytes(0, 0, 1, 0, 1)));
        Assert.Equal(Unrecognised, Named(Bytes(0, 0, 3, 0, 1, 0, new byte[16])));
    }

    [Fact]
    public void Svg_is_recognised_after_whitespace_a_bom_or_an_xml_declaration()
    {
        Assert.Equal("SVG", Named(Bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")));
        Assert.Equal("SVG", Named(Bytes(" \t\r\n<svg/>")));
        Assert.Equal("SVG", Named([0xEF, 0xBB, 0xBF, .. "<svg/>"u8]));
        Assert.Equal("SVG", Named(Bytes("<?xml version=\"1.0\"?>\n<!-- a drawing -->\n<svg/>")));
        Assert.Equal(Unrecognised, Named(Bytes("<?xml version=\"1.0\"?>\n<html/>")));
        Assert.Equal(Unrecognised, Named(Bytes("<html><svg/></html>")));
        // Only the first 512 bytes are looked at.
        Assert.Equal(Unrecognised, Named(Bytes("<?xml version=\"1.0\"?>", new string(' ', 600), "<svg/>")));
        Assert.Equal("SVG", Named(Bytes("<?xml version=\"1.0\"?>", new string(' ', 400), "<svg/>")));
    }

    private static byte[] TgaHeader(byte colourMapType = 0, byte imageType = 2, byte depth = 24, ushort width = 2, ushort height = 2, byte descriptor = 0)
    {
        byte[] tga = new byte[18 + 12];
        tga[1] = colourMapType;
        tga[2] = imageType;
        BitConverter.TryWriteBytes(tga.AsSpan(12), width);
        BitConverter.TryWriteBytes(tga.AsSpan(14), height);
        tga[16] = depth;
        tga[17] = descriptor;
        return tga;
    }

    [Fact]
    public void A_tga_without_a_footer_is_recognised_by_its_header_fields()
    {
        Assert.Equal("TGA", Named(TgaHeader()));
        Assert.Equal("TGA", Named(TgaHeader(colourMapType: 1, imageType: 1, depth: 8)));
        Assert.Equal("TGA", Named(TgaHeader(colourMapType: 1, imageType: 9, depth: 8)));
        foreach (byte type in new byte[] { 3, 10, 11 })
        {
            Assert.Equal("TGA", Named(TgaHeader(imageType: type)));
        }

        foreach (byte depth in new byte[] { 8, 15, 16, 32 })
        {
            Assert.Equal("TGA", Named(TgaHeader(depth: depth)));
        }

        Assert.Equal("TGA", Named(TgaHeader(descriptor: 0x3F)));

        // One field out of range is enough to make it unknown bytes.
        Assert.Equal(Unrecognised, Named(TgaHeader(imageType: 4)));
        Assert.Equal(Unrecognised, Named(TgaHeader(imageType: 0)));
        Assert.Equal(Unrecognised, Named(TgaHeader(colourMapType: 1, imageType: 2)));
        Assert.Equal(Unrecognised, Named(TgaHeader(colourMapType: 0, imageType: 1)));
        Assert.Equal(Unrecognised, Named(TgaHeader(colourMapType: 0, imageType: 9)));
        Assert.Equal(Unrecognised, Named(TgaHeader(colourMapType: 2, imageType: 2)));
        Assert.Equal(Unrecognised, Named(TgaHeader(depth: 12)));
        Assert.Equal(Unrecognised, Named(TgaHeader(width: 0)));
        Assert.Equal(Unrecognised, Named(TgaHeader(height: 0)));
        Assert.Equal(Unrecognised, Named(TgaHeader(descriptor: 0x40)));
        Assert.Equal(Unrecognised, Named(TgaHeader(descriptor: 0x80)));
        Assert.Equal(Unrecognised, Named(TgaHeader()[..17]));
    }

    [Fact]
    public void A_tga_footer_names_the_file_even_when_its_header_looks_like_an_icon()
    {
        byte[] footer = [.. new byte[8], .. "TRUEVISION-XFILE.\0"u8];
        // An icon directory would win without the footer check first.
        byte[] iconLike = [0, 0, 1, 0, 1, 0, .. new byte[20], .. footer];
        Assert.Equal("TGA", Named(iconLike));
        Assert.Equal("ICO", Named([.. iconLike[..^2], 0, 0, 0, 0]));

        // The footer needs 44 bytes at least (header + footer), and sits exactly before the last two bytes.
        byte[] shortest = [.. new byte[18], .. footer];
        Assert.Equal(44, shortest.Length);
        Assert.Equal("TGA", Named(shortest));
        Assert.Equal(Unrecognised, Named([.. new byte[17], .. footer]));
        Assert.Equal(Unrecognised, Named([.. new byte[18], .. footer, 0]));
    }

    [Fact]
    public void Empty_input_is_empty_not_unrecognised()
    {
        ImageRejectedException e = Assert.Throws<ImageRejectedException>(() => s_loader.Load([]));
        Assert.Equal(ImageRejectionReason.Empty, e.Reason);
    }
}
