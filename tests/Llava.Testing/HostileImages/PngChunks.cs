using System.Buffers.Binary;
using System.IO.Compression;

namespace Llava.Testing.HostileImages;

/// <summary>Builds and takes apart PNG files chunk by chunk, with correct CRCs unless told otherwise.</summary>
public static class PngChunks
{
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        byte[] chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] Ihdr(uint width, uint height, byte bitDepth, byte colourType, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        byte[] data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = bitDepth;
        data[9] = colourType;
        data[10] = compression;
        data[11] = filter;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    /// <summary>A whole file: the signature, then the given chunks as they are.</summary>
    public static byte[] File(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    /// <summary>A zlib stream of <paramref name="data"/> (deterministic for one runtime's zlib).</summary>
    public static byte[] Zlib(ReadOnlySpan<byte> data, CompressionLevel level = CompressionLevel.SmallestSize)
    {
        using MemoryStream output = new();
        using (ZLibStream zlib = new(output, level, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A zlib stream of <paramref name="count"/> zero bytes, written a mebibyte at a time.</summary>
    public static byte[] ZlibOfZeros(long count)
    {
        byte[] zeros = new byte[1024 * 1024];
        using MemoryStream output = new();
        using (ZLibStream zlib = new(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (long left = count; left > 0; left -= zeros.Length)
            {
                zlib.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        }

        return output.ToArray();
    }

    /// <summary>The chunks of a well-formed PNG as (type, data).</summary>
    public static List<(string Type, byte[] Data)> Split(ReadOnlySpan<byte> png)
    {
        List<(string, byte[])> chunks = [];
        int at = 8;
        while (at + 12 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png[at..]);
            chunks.Add((System.Text.Encoding.ASCII.GetString(png.Slice(at + 4, 4)), png.Slice(at + 8, length).ToArray()));
            at += 12 + length;
        }

        return chunks;
    }

    public static byte[] Join(IEnumerable<(string Type, byte[] Data)> chunks) => File([.. chunks.Select(c => Chunk(c.Type, c.Data))]);

    /// <summary>All IDAT data of a PNG, joined: its zlib stream.</summary>
    public static byte[] ImageData(ReadOnlySpan<byte> png) => [.. Split(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];

    /// <summary>The same image with its zlib stream cut into IDAT chunks of <paramref name="size"/> bytes.</summary>
    public static byte[] Rechunk(ReadOnlySpan<byte> png, int size, bool emptyBetween = false)
    {
        List<(string Type, byte[] Data)> chunks = Split(png);
        byte[] zlib = ImageData(png);
        List<(string, byte[])> result = [];
        bool written = false;
        foreach ((string type, byte[] data) in chunks)
        {
            if (type != "IDAT")
            {
                result.Add((type, data));
                continue;
            }

            if (written)
            {
                continue;
            }

            written = true;
            for (int i = 0; i < zlib.Length; i += size)
            {
                result.Add(("IDAT", zlib[i..Math.Min(zlib.Length, i + size)]));
                if (emptyBetween)
                {
                    result.Add(("IDAT", []));
                }
            }
        }

        return Join(result);
    }

    /// <summary>Inserts chunks just after IHDR.</summary>
    public static byte[] InsertAfterIhdr(ReadOnlySpan<byte> png, params (string Type, byte[] Data)[] extra)
    {
        List<(string Type, byte[] Data)> chunks = Split(png);
        chunks.InsertRange(1, extra);
        return Join(chunks);
    }

    public static uint Crc32(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
