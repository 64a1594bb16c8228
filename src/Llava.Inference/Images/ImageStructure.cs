using System.Buffers.Binary;

namespace Llava.Inference.Images;

/// <summary>
/// Walks the container structure of an accepted format (no pixel decoding) and says what is missing or damaged.
/// ImageSharp is lenient: it fills a truncated JPEG or PNG with grey or black and returns it. PIL, and so
/// transformers, raises "image file is truncated" instead, and a half-grey picture would be answered as if it
/// were real, so the loader refuses such input before decoding.
/// </summary>
internal static class ImageStructure
{
    /// <summary>A description of the damage, or null when the structure is complete.</summary>
    public static string? FindDamage(AcceptedFormat format, ReadOnlySpan<byte> data) => format switch
    {
        AcceptedFormat.Png => CheckPng(data),
        AcceptedFormat.Jpeg => CheckJpeg(data),
        AcceptedFormat.Gif => CheckGif(data),
        AcceptedFormat.Bmp => CheckBmp(data),
        AcceptedFormat.WebP => CheckWebP(data),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an accepted format."),
    };

    /// <summary>
    /// The size a BMP or WebP header declares (the WebP canvas when there is one), read without a decoder so that the
    /// pixel limits apply before anything else looks at the file; null for other formats or when the header is too short.
    /// </summary>
    public static (long Width, long Height)? DeclaredSize(AcceptedFormat format, ReadOnlySpan<byte> data)
    {
        if (format == AcceptedFormat.Bmp && data.Length >= 26)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4)) == 12
                ? (BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(18, 2)), BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(20, 2)))
                : (BinaryPrimitives.ReadInt32LittleEndian(data.Slice(18, 4)), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data.Slice(22, 4))));
        }

        if (format == AcceptedFormat.WebP && data.Length >= 30)
        {
            ReadOnlySpan<byte> type = data.Slice(12, 4);
            if (type.SequenceEqual("VP8X"u8))
            {
                return (ReadUInt24(data[24..]) + 1, ReadUInt24(data[27..]) + 1);
            }

            if (type.SequenceEqual("VP8 "u8))
            {
                return (BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF);
            }

            if (type.SequenceEqual("VP8L"u8))
            {
                uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
                return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
            }
        }

        return null;
    }

    /// <summary>A well-formed feature the decoder cannot handle (12- or 16-bit JPEG samples); null when there is none.</summary>
    public static string? FindUnsupportedFeature(AcceptedFormat format, ReadOnlySpan<byte> data)
    {
        if (format != AcceptedFormat.Jpeg)
        {
            return null;
        }

        int at = 2;
        while (at + 5 <= data.Length && data[at] == 0xFF)
        {
            byte code = data[at + 1];
            if (code == 0xFF)
            {
                at++;
                continue;
            }

            if (code is 0xDA or 0xD9 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                return null;
            }

            if (IsStartOfFrame(code))
            {
                byte precision = data[at + 4];
                return precision is 12 or 16 ? $"{precision}-bit samples" : null;
            }

            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        }

        return null;
    }

    private static bool IsStartOfFrame(byte code) => code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    private static int ReadUInt24(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    private static string? CheckPng(ReadOnlySpan<byte> data)
    {
        long at = 8;
        bool first = true;
        while (true)
        {
            if (at + 8 > data.Length)
            {
                return "the PNG file ends before its IEND chunk (truncated)";
            }

            long length = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)at, 4));
            ReadOnlySpan<byte> type = data.Slice((int)at + 4, 4);
            string typeName = System.Text.Encoding.ASCII.GetString(type);
            if (first && !type.SequenceEqual("IHDR"u8))
            {
                return "the PNG file does not start with an IHDR chunk";
            }

            first = false;
            if (length > int.MaxValue || at + 12 + length > data.Length)
            {
                return $"the PNG file ends inside its {typeName} chunk (truncated)";
            }

            // The CRC covers the type and the data; PIL refuses a mismatch ("broken PNG file") and so do we.
            ReadOnlySpan<byte> covered = data.Slice((int)at + 4, 4 + (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)(at + 8 + length), 4));
            if (Crc32(covered) != stored)
            {
                return $"the PNG {typeName} chunk fails its CRC check (damaged data)";
            }

            if (type.SequenceEqual("IEND"u8))
            {
                return null;
            }

            at += 12 + length;
        }
    }

    private static string? CheckJpeg(ReadOnlySpan<byte> data)
    {
        int at = 2;
        bool frame = false;
        bool scan = false;
        int definedTables = 0;
        int neededTables = 0;
        while (true)
        {
            // A marker: one or more 0xFF fill bytes, then the code.
            if (at >= data.Length || data[at] != 0xFF)
            {
                return at >= data.Length ? "the JPEG file ends before its end-of-image marker (truncated)" : "the JPEG file has a broken marker segment";
            }

            while (at < data.Length && data[at] == 0xFF)
            {
                at++;
            }

            if (at >= data.Length)
            {
                return "the JPEG file ends before its end-of-image marker (truncated)";
            }

            byte code = data[at++];
            if (code == 0xD9)
            {
                return !frame ? "the JPEG file has no image frame" : !scan ? "the JPEG file has no scan (no image data)" : null;
            }

            if (code is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (at + 2 > data.Length)
            {
                return "the JPEG file ends inside a marker segment (truncated)";
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at, 2));
            if (length < 2 || at + length > data.Length)
            {
                return "the JPEG file ends inside a marker segment (truncated)";
            }

            ReadOnlySpan<byte> payload = data.Slice(at + 2, length - 2);
            if (code == 0xDB)
            {
                // Quantisation tables: precision/id byte, then 64 one- or two-byte entries each.
                for (int p = 0; p < payload.Length;)
                {
                    int precision = payload[p] >> 4;
                    int id = payload[p] & 0x0F;
                    if (precision > 1 || id > 3 || p + 1 + (64 * (precision + 1)) > payload.Length)
                    {
                        return "the JPEG file has an invalid quantisation table";
                    }

                    definedTables |= 1 << id;
                    p += 1 + (64 * (precision + 1));
                }
            }

            if (IsStartOfFrame(code))
            {
                if (frame)
                {
                    return "the JPEG file has a second frame header";
                }

                // Precision, height, width, component count, then (id, sampling, table) per component.
                if (payload.Length < 6 || payload[0] is not (8 or 12 or 16) || payload.Length < 6 + (3 * payload[5]))
                {
                    return "the JPEG frame header is invalid";
                }

                for (int c = 0; c < payload[5]; c++)
                {
                    neededTables |= 1 << (payload[6 + (3 * c) + 2] & 0x0F);
                }

                frame = true;
            }

            at += length;
            if (code == 0xDA)
            {
                if (!frame)
                {
                    return "the JPEG file has scan data before its frame header";
                }

                if ((neededTables & ~definedTables) != 0)
                {
                    return "the JPEG file uses a quantisation table it never defines";
                }

                scan = true;

                at = SkipEntropyCodedData(data, at);
            }
        }
    }

    /// <summary>Returns the index of the next marker's 0xFF (or the end): 0xFF00 is a stuffed byte, 0xFFD0-D7 restarts.</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int at)
    {
        while (true)
        {
            int next = data[at..].IndexOf((byte)0xFF);
            if (next < 0)
            {
                return data.Length;
            }

            at += next;
            if (at + 1 >= data.Length)
            {
                return data.Length;
            }

            byte following = data[at + 1];
            if (following == 0x00 || following is >= 0xD0 and <= 0xD7 || following == 0xFF)
            {
                at += following == 0xFF ? 1 : 2;
                continue;
            }

            return at;
        }
    }

    private static string? CheckGif(ReadOnlySpan<byte> data)
    {
        const string Truncated = "the GIF file ends before its trailer (truncated)";
        if (data.Length < 13)
        {
            return Truncated;
        }

        int at = 13 + ColorTableBytes(data[10]);
        bool image = false;
        while (true)
        {
            if (at >= data.Length)
            {
                return Truncated;
            }

            byte block = data[at++];
            switch (block)
            {
                case 0x3B:
                    return image ? null : "the GIF file has no image";
                case 0x21:
                    if (at >= data.Length)
                    {
                        return Truncated;
                    }

                    at = SkipSubBlocks(data, at + 1);
                    break;
                case 0x2C:
                    if (at + 9 > data.Length)
                    {
                        return Truncated;
                    }

                    // Image descriptor, optional local colour table, LZW minimum code size, then data sub-blocks.
                    long pixels = (long)BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 4)..]) * BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 6)..]);
                    at += 9 + ColorTableBytes(data[at + 8]);
                    if (at >= data.Length)
                    {
                        return Truncated;
                    }

                    int minimumCodeSize = data[at];
                    int blocks = at + 1;
                    at = SkipSubBlocks(data, blocks);
                    if (at < 0)
                    {
                        return Truncated;
                    }

                    // Only the first image is decoded; PIL refuses one whose LZW data is damaged or too short.
                    if (!image && !GifLzw.Decodes(data[blocks..at], minimumCodeSize, pixels))
                    {
                        return "the GIF image data is damaged or too short for its size";
                    }

                    image = true;
                    break;
                default:
                    return "the GIF file has an unknown block (damaged data)";
            }

            if (at < 0)
            {
                return Truncated;
            }
        }
    }

    private static int ColorTableBytes(byte flags) => (flags & 0x80) != 0 ? 3 * (1 << ((flags & 0x07) + 1)) : 0;

    /// <summary>Index just past the zero-length terminator, or -1 when the data ends first.</summary>
    private static int SkipSubBlocks(ReadOnlySpan<byte> data, int at)
    {
        while (at < data.Length)
        {
            int size = data[at];
            at += 1 + size;
            if (size == 0)
            {
                return at;
            }
        }

        return -1;
    }

    private static string? CheckBmp(ReadOnlySpan<byte> data)
    {
        const string Truncated = "the BMP file ends before its pixel data does (truncated)";
        if (data.Length < 26)
        {
            return Truncated;
        }

        long offset = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(10, 4));
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4));
        long width;
        long height;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(18, 2));
            height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(20, 2));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(24, 2));
        }
        else
        {
            if (data.Length < 34)
            {
                return Truncated;
            }

            width = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(18, 4));
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data.Slice(22, 4)));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(28, 2));
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(30, 4));
        }

        if (width <= 0 || height <= 0 || bitsPerPixel is not (1 or 2 or 4 or 8 or 16 or 24 or 32 or 48 or 64))
        {
            return "the BMP header is damaged";
        }

        if (offset < 14 + headerSize || offset > data.Length)
        {
            return offset > data.Length ? Truncated : "the BMP header is damaged";
        }

        if (compression == 3 && headerSize >= 40 && data.Length >= 66
            && BinaryPrimitives.ReadUInt32LittleEndian(data[54..]) == 0 && BinaryPrimitives.ReadUInt32LittleEndian(data[58..]) == 0 && BinaryPrimitives.ReadUInt32LittleEndian(data[62..]) == 0)
        {
            return "the BMP colour masks are all zero";
        }

        // Run-length encoded: PIL refuses a stream that ends before it has covered every pixel; ImageSharp would fill.
        if ((compression == 1 && bitsPerPixel == 8) || (compression == 2 && bitsPerPixel == 4))
        {
            return RleCovers(data[(int)offset..], width, height, compression == 2) ? null : "the BMP run-length data ends before the image does (truncated)";
        }

        // Uncompressed (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS): rows are padded to 4 bytes.
        if (compression is 0 or 3 or 6)
        {
            long stride = ((width * bitsPerPixel) + 31) / 32 * 4;
            if (offset + (stride * height) > data.Length)
            {
                return Truncated;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether RLE8/RLE4 data reaches every pixel position (runs, absolute runs, end-of-line and delta moves all
    /// count, as in PIL's decoder) before its end-of-bitmap code or the end of the data.
    /// </summary>
    private static bool RleCovers(ReadOnlySpan<byte> rle, long width, long height, bool fourBit)
    {
        long needed = width * height;
        long covered = 0;
        int at = 0;
        while (at + 2 <= rle.Length && covered < needed)
        {
            byte count = rle[at];
            byte value = rle[at + 1];
            at += 2;
            if (count > 0)
            {
                covered += count;
            }
            else if (value == 0)
            {
                covered = (covered + width - 1) / width * width;
            }
            else if (value == 1)
            {
                break;
            }
            else if (value == 2)
            {
                if (at + 2 > rle.Length)
                {
                    return false;
                }

                covered += rle[at] + ((long)rle[at + 1] * width);
                at += 2;
            }
            else
            {
                // Absolute run of `value` pixels, padded to a 16-bit boundary.
                int bytes = fourBit ? (value + 1) / 2 : value;
                at += bytes + (bytes & 1);
                if (at > rle.Length)
                {
                    return false;
                }

                covered += value;
            }
        }

        return covered >= needed;
    }

    private static string? CheckWebP(ReadOnlySpan<byte> data)
    {
        const string Truncated = "the WebP file ends before its RIFF container does (truncated)";
        long riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4, 4));
        if (riffEnd > data.Length)
        {
            return Truncated;
        }

        long at = 12;
        bool image = false;
        while (at < riffEnd)
        {
            if (at + 8 > riffEnd)
            {
                return Truncated;
            }

            ReadOnlySpan<byte> type = data.Slice((int)at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)at + 4, 4));
            // An odd-sized chunk is followed by one padding byte, which some writers leave out of the last chunk.
            if (at + 8 + size > riffEnd)
            {
                return Truncated;
            }

            if (at == 12 && !type.SequenceEqual("VP8 "u8) && !type.SequenceEqual("VP8L"u8) && !type.SequenceEqual("VP8X"u8))
            {
                return "the WebP file does not start with a VP8, VP8L or VP8X chunk";
            }

            if (!image && (type.SequenceEqual("VP8 "u8) || type.SequenceEqual("VP8L"u8)) && at > 12)
            {
                // A still image in the extended format: the bitstream must fill the canvas that VP8X declares.
                (long Width, long Height)? canvas = DeclaredSize(AcceptedFormat.WebP, data);
                (long Width, long Height)? bitstream = DeclaredSize(AcceptedFormat.WebP, [.. data[..12], .. data.Slice((int)at, (int)Math.Min(size + 8, 18))]);
                if (canvas is not null && bitstream is not null && canvas != bitstream)
                {
                    return "the WebP image is not the size its header declares";
                }
            }

            if (type.SequenceEqual("VP8 "u8) && Vp8Damage(data.Slice((int)at + 8, (int)size)) is { } vp8)
            {
                return vp8;
            }

            image |= type.SequenceEqual("VP8 "u8) || type.SequenceEqual("VP8L"u8) || type.SequenceEqual("ANMF"u8);
            at += 8 + size + (size & 1);
        }

        return image ? null : "the WebP file has no image data";
    }

    /// <summary>
    /// Checks a lossy key frame's header against its data. Every macroblock of a key frame costs at least ~2.7 bits of
    /// the first partition (its luma and chroma modes are coded with fixed probabilities), so a frame whose first
    /// partition is far too small for its declared size is damaged: libwebp (and so PIL) stops at the premature end,
    /// while ImageSharp would spend seconds decoding a 40-megapixel picture out of a 150-byte file.
    /// </summary>
    private static string? Vp8Damage(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 10)
        {
            return "the WebP lossy frame header is truncated";
        }

        int tag = frame[0] | (frame[1] << 8) | (frame[2] << 16);
        int firstPartition = tag >> 5;
        if ((tag & 1) != 0 || !frame.Slice(3, 3).SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A]))
        {
            return "the WebP lossy frame is not a valid key frame";
        }

        if (firstPartition > frame.Length - 10)
        {
            return "the WebP lossy frame ends inside its first partition (truncated)";
        }

        long macroblocks = (long)(((BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF) + 15) / 16) * (((BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF) + 15) / 16);
        // Half a bit per macroblock: five times below the least any encoder can write.
        return firstPartition * 16L < macroblocks ? "the WebP lossy frame holds far too little data for its size (truncated or damaged)" : null;
    }

    private static uint Crc32(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>The PNG CRC of a chunk's type and body.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(body);
        return crc.GetCurrentHashAsUInt32();
    }
}
