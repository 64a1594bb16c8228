using System.Buffers.Binary;

namespace Llava.Inference.Images;

/// <summary>
/// Reads the EXIF orientation (tag 0x0112 of IFD0) without a metadata library: the decoders are told to ignore
/// metadata, so EXIF, ICC, XMP and text chunks are never inflated or walked. Only IFD0's own entries are read, at
/// most 65535 of 12 bytes inside the block; no offset is followed, so a self-referencing or looping IFD chain costs
/// nothing. Anything unexpected means "no orientation" (1), as it does for PIL's <c>exif_transpose</c>.
/// </summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;
    private const ushort ShortType = 3;

    /// <summary>The orientation 1-8, or 1 when the file has none or it cannot be read.</summary>
    public static int Read(AcceptedFormat format, ReadOnlySpan<byte> data) => format switch
    {
        AcceptedFormat.Jpeg => FromTiff(FindJpegExif(data)),
        AcceptedFormat.Png => FromTiff(FindPngExif(data)),
        AcceptedFormat.WebP => FromTiff(FindWebPExif(data)),
        _ => 1,
    };

    /// <summary>The orientation in a TIFF structure (with or without the "Exif\0\0" prefix).</summary>
    internal static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.StartsWith("Exif\0\0"u8))
        {
            tiff = tiff[6..];
        }

        if (tiff.Length < 8)
        {
            return 1;
        }

        bool bigEndian;
        if (tiff.StartsWith("II*\0"u8))
        {
            bigEndian = false;
        }
        else if (tiff.StartsWith("MM\0*"u8))
        {
            bigEndian = true;
        }
        else
        {
            return 1;
        }

        uint ifd = Read32(tiff[4..], bigEndian);
        if (ifd > (uint)tiff.Length - 2)
        {
            return 1;
        }

        int count = Read16(tiff[(int)ifd..], bigEndian);
        int at = (int)ifd + 2;
        for (int i = 0; i < count && at + 12 <= tiff.Length; i++, at += 12)
        {
            ReadOnlySpan<byte> entry = tiff.Slice(at, 12);
            if (Read16(entry, bigEndian) == OrientationTag)
            {
                // A SHORT with count 1 sits in the first two bytes of the value field.
                int value = Read16(entry[2..], bigEndian) == ShortType && Read32(entry[4..], bigEndian) >= 1 ? Read16(entry[8..], bigEndian) : 1;
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    /// <summary>The first APP1 segment that starts with "Exif\0\0", before the first scan.</summary>
    private static ReadOnlySpan<byte> FindJpegExif(ReadOnlySpan<byte> data)
    {
        int at = 2;
        while (at + 4 <= data.Length && data[at] == 0xFF)
        {
            byte code = data[at + 1];
            if (code == 0xFF)
            {
                at++;
                continue;
            }

            if (code is 0xDA or 0xD9)
            {
                break;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            if (length < 2 || at + 2 + length > data.Length)
            {
                break;
            }

            ReadOnlySpan<byte> payload = data.Slice(at + 4, length - 2);
            if (code == 0xE1 && payload.StartsWith("Exif\0\0"u8))
            {
                return payload;
            }

            at += 2 + length;
        }

        return default;
    }

    private static ReadOnlySpan<byte> FindPngExif(ReadOnlySpan<byte> data)
    {
        long at = 8;
        while (at + 12 <= data.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)at..]);
            if (length > data.Length - at - 12)
            {
                break;
            }

            if (data.Slice((int)at + 4, 4).SequenceEqual("eXIf"u8))
            {
                return data.Slice((int)at + 8, (int)length);
            }

            at += 12 + length;
        }

        return default;
    }

    private static ReadOnlySpan<byte> FindWebPExif(ReadOnlySpan<byte> data)
    {
        long at = 12;
        while (at + 8 <= data.Length)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(data[((int)at + 4)..]);
            if (size > data.Length - at - 8)
            {
                break;
            }

            if (data.Slice((int)at, 4).SequenceEqual("EXIF"u8))
            {
                return data.Slice((int)at + 8, (int)size);
            }

            at += 8 + size + (size & 1);
        }

        return default;
    }

    private static ushort Read16(ReadOnlySpan<byte> data, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data) : BinaryPrimitives.ReadUInt16LittleEndian(data);

    private static uint Read32(ReadOnlySpan<byte> data, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadUInt32LittleEndian(data);
}
