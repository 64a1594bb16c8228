using System.Buffers.Binary;

namespace Llava.Inference.Images;

/// <summary>Removes the optional 0xFF fill bytes before the header markers of a JPEG (up to its first scan).</summary>
internal static class JpegFillBytes
{
    /// <summary>A copy without fill bytes in the header, or null when there are none (or the header is malformed: the structure check reports that).</summary>
    public static byte[]? Strip(ReadOnlySpan<byte> data)
    {
        int at = 2;
        List<(int Start, int Length)> keep = [(0, 2)];
        bool any = false;
        while (at + 1 < data.Length && data[at] == 0xFF)
        {
            int start = at;
            while (at + 1 < data.Length && data[at + 1] == 0xFF)
            {
                at++;
            }

            any |= at > start;
            if (at + 1 >= data.Length)
            {
                break;
            }

            byte code = data[at + 1];
            if (code == 0xDA || at + 4 > data.Length)
            {
                keep.Add((at, data.Length - at));
                break;
            }

            int length = code is 0x01 or (>= 0xD0 and <= 0xD9) ? 0 : BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            int end = Math.Min(data.Length, at + 2 + length);
            keep.Add((at, end - at));
            at = end;
        }

        if (!any)
        {
            return null;
        }

        if (at >= data.Length - 1 && keep[^1].Start + keep[^1].Length < data.Length)
        {
            keep.Add((keep[^1].Start + keep[^1].Length, data.Length - keep[^1].Start - keep[^1].Length));
        }

        byte[] result = new byte[keep.Sum(k => k.Length)];
        int write = 0;
        foreach ((int start, int length) in keep)
        {
            data.Slice(start, length).CopyTo(result.AsSpan(write));
            write += length;
        }

        return result;
    }
}
