using System.Buffers.Binary;
using System.IO.Compression;

namespace Llava.Inference.Images;

/// <summary>
/// Checks a PNG's header and image data the way a strict decoder (libpng, PIL) does, and rewrites it as the minimal
/// file ImageSharp decodes reliably: IHDR, PLTE, tRNS, one zlib stream, IEND, never interlaced.
/// </summary>
/// <remarks>
/// <para>Why: ImageSharp 2.1 fills missing rows with black instead of failing (PIL refuses "image file is
/// truncated"), hangs or misreads Adam7 images whose passes are empty (a 1x1 interlaced PNG never returns), and
/// inflates every zTXt/iTXt/iCCP chunk it meets (a 262 KB text chunk became 256 MiB). Dropping every ancillary
/// chunk but tRNS removes the metadata bombs (nothing else we keep changes the pixels: ImageSharp applies neither
/// gamma nor ICC), and de-interlacing here means ImageSharp only ever sees the simple layout.</para>
/// <para>Cost: one bounded inflate of the image data (never more than the header's size needs, plus at most
/// <see cref="TrailingSlackBytes"/> to reach the checksum); interlaced images are also re-compressed.</para>
/// </remarks>
internal static class PngRepacker
{
    private const long TrailingSlackBytes = 1024 * 1024;
    private const int ChunkDataBytes = 1 << 20;

    private static readonly int[] s_startX = [0, 4, 0, 2, 0, 1, 0];
    private static readonly int[] s_startY = [0, 0, 4, 0, 2, 0, 1];
    private static readonly int[] s_stepX = [8, 8, 4, 4, 2, 2, 1];
    private static readonly int[] s_stepY = [8, 8, 8, 4, 4, 2, 2];

    /// <summary>What IHDR says; null with a description when it is not a valid header.</summary>
    public static PngHeader? ReadHeader(ReadOnlySpan<byte> data, out string? damage)
    {
        damage = null;
        if (data.Length < 8 + 8 + 13 || !data.Slice(12, 4).SequenceEqual("IHDR"u8) || BinaryPrimitives.ReadUInt32BigEndian(data[8..]) != 13)
        {
            damage = data.Length < 33 ? "the PNG file ends inside its header (truncated)" : "the PNG file does not start with a valid IHDR chunk";
            return null;
        }

        ReadOnlySpan<byte> ihdr = data.Slice(16, 13);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        byte depth = ihdr[8];
        byte colour = ihdr[9];
        bool depthOk = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
        {
            damage = $"the PNG header gives a size of {width}x{height}";
            return null;
        }

        if (!depthOk || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        {
            damage = $"the PNG header is invalid (colour type {colour}, bit depth {depth}, methods {ihdr[10]}/{ihdr[11]}/{ihdr[12]})";
            return null;
        }

        return new PngHeader((int)width, (int)height, depth, colour, ihdr[12] == 1);
    }

    /// <summary>
    /// The minimal non-interlaced PNG with the same pixels, or null with a description of the damage. The chunk
    /// structure (CRCs, IEND) must already have been checked by <see cref="ImageStructure"/>.
    /// </summary>
    public static byte[]? Repack(ReadOnlySpan<byte> data, PngHeader header, out string? damage)
    {
        damage = null;
        ReadOnlySpan<byte> palette = default;
        ReadOnlySpan<byte> transparency = default;
        List<(int Start, int Length)> idat = [];
        bool idatEnded = false;
        int at = 8;
        while (true)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
            ReadOnlySpan<byte> type = data.Slice(at + 4, 4);
            ReadOnlySpan<byte> body = data.Slice(at + 8, length);
            bool isIdat = type.SequenceEqual("IDAT"u8);
            if (idat.Count > 0 && !isIdat)
            {
                idatEnded = true;
            }

            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }

            if (at > 8 && type.SequenceEqual("IHDR"u8))
            {
                damage = "the PNG file has a second IHDR chunk";
                return null;
            }

            if (isIdat)
            {
                if (idatEnded)
                {
                    damage = "the PNG image data is split by other chunks (IDAT chunks must be consecutive)";
                    return null;
                }

                idat.Add((at + 8, length));
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                if (idat.Count > 0 || !palette.IsEmpty || length == 0 || length % 3 != 0 || length > 768)
                {
                    damage = "the PNG palette is invalid (misplaced, repeated, empty, or not 1-256 RGB entries)";
                    return null;
                }

                palette = body;
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                transparency = idat.Count == 0 ? body : transparency;
            }
            else if ((type[0] & 0x20) == 0 && at > 8)
            {
                damage = $"the PNG file has an unknown critical chunk '{System.Text.Encoding.ASCII.GetString(type)}'";
                return null;
            }

            at += 12 + length;
        }

        if (idat.Count == 0)
        {
            damage = "the PNG file has no image data";
            return null;
        }

        if (header.ColourType == 3 && palette.IsEmpty)
        {
            damage = "the PNG palette image has no palette";
            return null;
        }

        byte[] zlib = new byte[idat.Sum(c => (long)c.Length)];
        int write = 0;
        foreach ((int start, int length) in idat)
        {
            data.Slice(start, length).CopyTo(zlib.AsSpan(write));
            write += length;
        }

        byte[]? image = header.Interlaced ? Deinterlace(zlib, header, out damage) : Verify(zlib, header, out damage) ? zlib : null;
        return image is null ? null : Assemble(header, palette, header.ColourType is 0 or 2 or 3 ? transparency : default, image);
    }

    /// <summary>Inflates a non-interlaced stream row by row, checking every filter byte and that no row is missing.</summary>
    private static bool Verify(byte[] zlib, PngHeader header, out string? damage)
    {
        long rowBytes = header.RowBytes(header.Width);
        byte[] row = new byte[rowBytes + 1];
        try
        {
            using ZLibStream inflate = new(new MemoryStream(zlib, writable: false), CompressionMode.Decompress);
            for (int y = 0; y < header.Height; y++)
            {
                if (inflate.ReadAtLeast(row, row.Length, throwOnEndOfStream: false) < row.Length)
                {
                    damage = $"the PNG image data ends after {y} of {header.Height} rows (truncated)";
                    return false;
                }

                if (row[0] > 4)
                {
                    damage = $"the PNG image data has an unknown filter type {row[0]} in row {y}";
                    return false;
                }
            }

            damage = CheckTrailer(inflate);
            return damage is null;
        }
        catch (InvalidDataException e)
        {
            damage = $"the PNG image data is not a valid zlib stream ({e.Message})";
            return false;
        }
    }

    /// <summary>Reads on to the end of the zlib stream (bounded), so that a damaged Adler-32 checksum is noticed.</summary>
    private static string? CheckTrailer(ZLibStream inflate)
    {
        // Extra data after the last row is tolerated (PIL ignores it) but not inflated without end.
        Span<byte> sink = stackalloc byte[4096];
        long extra = 0;
        while (extra <= TrailingSlackBytes)
        {
            int read = inflate.Read(sink);
            if (read == 0)
            {
                return null;
            }

            extra += read;
        }

        return null;
    }

    /// <summary>Inflates an Adam7 stream pass by pass, undoes the filters and lays the pixels out as plain rows (filter 0).</summary>
    private static byte[]? Deinterlace(byte[] zlib, PngHeader header, out string? damage)
    {
        int bitsPerPixel = header.BitsPerPixel;
        int filterStride = Math.Max(1, bitsPerPixel / 8);
        long fullRow = header.RowBytes(header.Width) + 1;
        byte[] output = new byte[fullRow * header.Height];
        try
        {
            using ZLibStream inflate = new(new MemoryStream(zlib, writable: false), CompressionMode.Decompress);
            for (int pass = 0; pass < 7; pass++)
            {
                int columns = header.Width > s_startX[pass] ? (header.Width - s_startX[pass] + s_stepX[pass] - 1) / s_stepX[pass] : 0;
                int rows = header.Height > s_startY[pass] ? (header.Height - s_startY[pass] + s_stepY[pass] - 1) / s_stepY[pass] : 0;
                if (columns == 0 || rows == 0)
                {
                    // An empty pass has no rows and no filter bytes at all.
                    continue;
                }

                int rowBytes = (int)header.RowBytes(columns);
                byte[] current = new byte[rowBytes + 1];
                byte[] previous = new byte[rowBytes + 1];
                for (int r = 0; r < rows; r++)
                {
                    if (inflate.ReadAtLeast(current, current.Length, throwOnEndOfStream: false) < current.Length)
                    {
                        damage = $"the interlaced PNG image data ends in pass {pass + 1} (truncated)";
                        return null;
                    }

                    if (!Unfilter(current, previous, filterStride))
                    {
                        damage = $"the PNG image data has an unknown filter type {current[0]} in pass {pass + 1}";
                        return null;
                    }

                    int y = s_startY[pass] + (r * s_stepY[pass]);
                    Span<byte> target = output.AsSpan((int)(y * fullRow) + 1, (int)fullRow - 1);
                    for (int i = 0; i < columns; i++)
                    {
                        CopyPixel(current.AsSpan(1), i, target, s_startX[pass] + (i * s_stepX[pass]), bitsPerPixel);
                    }

                    (current, previous) = (previous, current);
                }
            }

            damage = CheckTrailer(inflate);
        }
        catch (InvalidDataException e)
        {
            damage = $"the PNG image data is not a valid zlib stream ({e.Message})";
            return null;
        }

        if (damage is not null)
        {
            return null;
        }

        using MemoryStream compressed = new();
        using (ZLibStream deflate = new(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(output);
        }

        return compressed.ToArray();
    }

    /// <summary>Undoes one row's filter in place (row[0] is the filter type); false for an unknown filter.</summary>
    private static bool Unfilter(Span<byte> row, ReadOnlySpan<byte> previous, int stride)
    {
        Span<byte> line = row[1..];
        ReadOnlySpan<byte> above = previous[1..];
        switch (row[0])
        {
            case 0:
                return true;
            case 1:
                for (int i = stride; i < line.Length; i++)
                {
                    line[i] += line[i - stride];
                }

                return true;
            case 2:
                for (int i = 0; i < line.Length; i++)
                {
                    line[i] += above[i];
                }

                return true;
            case 3:
                for (int i = 0; i < line.Length; i++)
                {
                    int left = i >= stride ? line[i - stride] : 0;
                    line[i] += (byte)((left + above[i]) / 2);
                }

                return true;
            case 4:
                for (int i = 0; i < line.Length; i++)
                {
                    int a = i >= stride ? line[i - stride] : 0;
                    int b = above[i];
                    int c = i >= stride ? above[i - stride] : 0;
                    int p = a + b - c;
                    int pa = Math.Abs(p - a);
                    int pb = Math.Abs(p - b);
                    int pc = Math.Abs(p - c);
                    line[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }

                return true;
            default:
                return false;
        }
    }

    private static void CopyPixel(ReadOnlySpan<byte> source, int sourceIndex, Span<byte> target, int targetIndex, int bitsPerPixel)
    {
        if (bitsPerPixel >= 8)
        {
            int bytes = bitsPerPixel / 8;
            source.Slice(sourceIndex * bytes, bytes).CopyTo(target[(targetIndex * bytes)..]);
            return;
        }

        // Sub-byte pixels are packed from the most significant bit.
        int sourceBit = sourceIndex * bitsPerPixel;
        int targetBit = targetIndex * bitsPerPixel;
        int mask = (1 << bitsPerPixel) - 1;
        int value = (source[sourceBit / 8] >> (8 - bitsPerPixel - (sourceBit % 8))) & mask;
        int shift = 8 - bitsPerPixel - (targetBit % 8);
        target[targetBit / 8] = (byte)((target[targetBit / 8] & ~(mask << shift)) | (value << shift));
    }

    private static byte[] Assemble(PngHeader header, ReadOnlySpan<byte> palette, ReadOnlySpan<byte> transparency, byte[] zlib)
    {
        using MemoryStream png = new();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, header.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], header.Height);
        ihdr[8] = header.BitDepth;
        ihdr[9] = header.ColourType;
        WriteChunk(png, "IHDR"u8, ihdr);
        if (!palette.IsEmpty)
        {
            WriteChunk(png, "PLTE"u8, palette);
        }

        if (!transparency.IsEmpty)
        {
            WriteChunk(png, "tRNS"u8, transparency);
        }

        for (int i = 0; i < zlib.Length; i += ChunkDataBytes)
        {
            WriteChunk(png, "IDAT"u8, zlib.AsSpan(i, Math.Min(ChunkDataBytes, zlib.Length - i)));
        }

        WriteChunk(png, "IEND"u8, default);
        return png.ToArray();
    }

    private static void WriteChunk(MemoryStream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        png.Write(word);
        png.Write(type);
        png.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, ImageStructure.Crc32(type, body));
        png.Write(word);
    }
}
