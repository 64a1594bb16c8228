using System.Buffers.Binary;

namespace Llava.Inference.Images;

/// <summary>
/// Names the format from its magic bytes, never from a file name. Formats we refuse are recognised too, so the
/// sender is told "TIFF images are not supported" rather than "corrupt".
/// </summary>
internal static class ImageFormatSniffer
{
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngMagic => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jpeg2000Box => [0x00, 0x00, 0x00, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20];

    private static ReadOnlySpan<byte> Jpeg2000Codestream => [0xFF, 0x4F, 0xFF, 0x51];

    private static ReadOnlySpan<byte> JpegXlCodestream => [0xFF, 0x0A];

    private static ReadOnlySpan<byte> JpegXlBox => [0x00, 0x00, 0x00, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20];

    private static ReadOnlySpan<byte> IcoMagic => [0x00, 0x00, 0x01, 0x00];

    private static ReadOnlySpan<byte> CurMagic => [0x00, 0x00, 0x02, 0x00];

    public static SniffedFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(JpegMagic))
        {
            return new(AcceptedFormat.Jpeg, "JPEG");
        }

        if (data.StartsWith(PngMagic))
        {
            return new(AcceptedFormat.Png, "PNG");
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return new(AcceptedFormat.Gif, "GIF");
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return new(AcceptedFormat.WebP, "WebP");
        }

        if (data.StartsWith("BM"u8) && IsBmpInfoHeaderSize(data))
        {
            return new(AcceptedFormat.Bmp, "BMP");
        }

        return new(AcceptedFormat.None, NameRefusedFormat(data));
    }

    private static bool IsBmpInfoHeaderSize(ReadOnlySpan<byte> data)
    {
        // "BM" alone is too weak (plain text can start with it); the DIB header size that follows is one of a few values.
        if (data.Length < 18)
        {
            // Too short to tell: let the BMP path report it as truncated.
            return true;
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4));
        return size is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    private static string? NameRefusedFormat(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8))
        {
            return "TIFF";
        }

        if (data.Length >= 3 && data[0] == (byte)'P' && data[1] is >= (byte)'1' and <= (byte)'7' && IsAsciiWhitespace(data[2]))
        {
            return data[1] switch
            {
                (byte)'1' or (byte)'4' => "PBM",
                (byte)'2' or (byte)'5' => "PGM",
                (byte)'3' or (byte)'6' => "PPM",
                _ => "PAM",
            };
        }

        if (data.Length >= 12 && data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            ReadOnlySpan<byte> brand = data.Slice(8, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return "AVIF";
            }

            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("hevc"u8))
            {
                return "HEIC";
            }
        }

        if (data.StartsWith("8BPS"u8))
        {
            return "PSD";
        }

        if (data.StartsWith(Jpeg2000Box) || data.StartsWith(Jpeg2000Codestream))
        {
            return "JPEG 2000";
        }

        if (data.StartsWith(JpegXlCodestream) || data.StartsWith(JpegXlBox))
        {
            return "JPEG XL";
        }

        if (data.StartsWith("qoif"u8))
        {
            return "QOI";
        }

        // A TGA without an image ID can start like an icon directory, so the footer is checked first and an icon
        // must list at least one image.
        if (HasTgaFooter(data))
        {
            return "TGA";
        }

        if ((data.StartsWith(IcoMagic) || data.StartsWith(CurMagic)) && data.Length >= 6 && BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(4, 2)) > 0)
        {
            return "ICO";
        }

        if (data.StartsWith("%PDF"u8))
        {
            return "PDF";
        }

        if (LooksLikeSvg(data))
        {
            return "SVG";
        }

        return LooksLikeTga(data) ? "TGA" : null;
    }

    private static bool IsAsciiWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static bool LooksLikeSvg(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> head = data[..Math.Min(data.Length, 512)].TrimStart(" \t\r\n\uFEFF"u8);
        return head.StartsWith("<svg"u8) || (head.StartsWith("<?xml"u8) && head.IndexOf("<svg"u8) >= 0);
    }

    private static bool HasTgaFooter(ReadOnlySpan<byte> data) => data.Length >= 44 && data[^18..^2].SequenceEqual("TRUEVISION-XFILE"u8);

    /// <summary>TGA 1.0 has no magic number: a header whose fields all hold legal values.</summary>
    private static bool LooksLikeTga(ReadOnlySpan<byte> data)
    {
        if (data.Length < 18)
        {
            return false;
        }

        byte colorMapType = data[1];
        byte imageType = data[2];
        byte depth = data[16];
        ushort width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(12, 2));
        ushort height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(14, 2));
        bool typeOk = imageType is 1 or 2 or 3 or 9 or 10 or 11;
        bool mapOk = colorMapType == 1 ? imageType is 1 or 9 : colorMapType == 0 && imageType is not (1 or 9);
        return typeOk && mapOk && depth is 8 or 15 or 16 or 24 or 32 && width > 0 && height > 0 && (data[17] & 0xC0) == 0;
    }
}
