using System.Buffers.Binary;

namespace Llava.Testing.HostileImages;

/// <summary>Little TIFF/EXIF structures (no "Exif\0\0" prefix), sound or deliberately broken.</summary>
public static class ExifBlocks
{
    /// <summary>Little-endian TIFF header and an IFD0 holding only the orientation tag.</summary>
    public static byte[] Orientation(ushort orientation, bool bigEndian = false)
    {
        byte[] tiff = new byte[8 + 2 + 12 + 4];
        WriteHeader(tiff, bigEndian);
        Write16(tiff.AsSpan(8), 1, bigEndian);
        WriteEntry(tiff.AsSpan(10), 0x0112, 3, 1, bigEndian ? (uint)orientation << 16 : orientation, bigEndian);
        return tiff;
    }

    /// <summary>IFD0 points on to itself as its next IFD, and holds an EXIF and a GPS sub-IFD pointer to itself.</summary>
    public static byte[] SelfReferencing(ushort orientation)
    {
        byte[] tiff = new byte[8 + 2 + (3 * 12) + 4];
        WriteHeader(tiff, false);
        Write16(tiff.AsSpan(8), 3, false);
        WriteEntry(tiff.AsSpan(10), 0x0112, 3, 1, orientation, false);
        WriteEntry(tiff.AsSpan(22), 0x8769, 4, 1, 8, false);
        WriteEntry(tiff.AsSpan(34), 0x8825, 4, 1, 8, false);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(46), 8);
        return tiff;
    }

    /// <summary>IFD0 -> IFD1 -> IFD0 through the next-IFD links, with the orientation tag in IFD0.</summary>
    public static byte[] TwoIfdLoop(ushort orientation)
    {
        byte[] tiff = new byte[8 + 18 + 18];
        WriteHeader(tiff, false);
        Write16(tiff.AsSpan(8), 1, false);
        WriteEntry(tiff.AsSpan(10), 0x0112, 3, 1, orientation, false);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(22), 26);
        Write16(tiff.AsSpan(26), 1, false);
        WriteEntry(tiff.AsSpan(28), 0x0100, 3, 1, 1, false);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(40), 8);
        return tiff;
    }

    /// <summary>An IFD0 that claims 65535 entries but holds two, and a value offset far outside the block.</summary>
    public static byte[] LyingCounts()
    {
        byte[] tiff = new byte[8 + 2 + 24 + 4];
        WriteHeader(tiff, false);
        Write16(tiff.AsSpan(8), 0xFFFF, false);
        WriteEntry(tiff.AsSpan(10), 0x010E, 2, 0x7FFFFFFF, 0xFFFFFF00, false);
        WriteEntry(tiff.AsSpan(22), 0x0112, 3, 1, 6, false);
        return tiff;
    }

    /// <summary>An IFD0 whose offset points past the end, and an unknown byte order.</summary>
    public static byte[] BadOffsets(bool badByteOrder)
    {
        byte[] tiff = new byte[16];
        WriteHeader(tiff, false);
        if (badByteOrder)
        {
            tiff[0] = (byte)'X';
            tiff[1] = (byte)'X';
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 0xFFFFFFF0);
        }

        return tiff;
    }

    /// <summary>IFD0 with many unknown entries (each 12 bytes) before the orientation.</summary>
    public static byte[] ManyEntries(int count, ushort orientation)
    {
        byte[] tiff = new byte[8 + 2 + ((count + 1) * 12) + 4];
        WriteHeader(tiff, false);
        Write16(tiff.AsSpan(8), (ushort)(count + 1), false);
        for (int i = 0; i < count; i++)
        {
            WriteEntry(tiff.AsSpan(10 + (i * 12)), (ushort)(0xC000 + (i % 0x3000)), 7, 0x40000000, 0x7FFFFFF0, false);
        }

        WriteEntry(tiff.AsSpan(10 + (count * 12)), 0x0112, 3, 1, orientation, false);
        return tiff;
    }

    public static byte[] WithExifPrefix(byte[] tiff) => [.. "Exif\0\0"u8, .. tiff];

    private static void WriteHeader(Span<byte> tiff, bool bigEndian)
    {
        if (bigEndian)
        {
            "MM\0*"u8.CopyTo(tiff);
            BinaryPrimitives.WriteUInt32BigEndian(tiff[4..], 8);
        }
        else
        {
            "II*\0"u8.CopyTo(tiff);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff[4..], 8);
        }
    }

    private static void Write16(Span<byte> at, ushort value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(at, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(at, value);
        }
    }

    private static void WriteEntry(Span<byte> at, ushort tag, ushort type, uint count, uint value, bool bigEndian)
    {
        Write16(at, tag, bigEndian);
        Write16(at[2..], type, bigEndian);
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(at[4..], count);
            BinaryPrimitives.WriteUInt32BigEndian(at[8..], value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(at[8..], value);
        }
    }
}
