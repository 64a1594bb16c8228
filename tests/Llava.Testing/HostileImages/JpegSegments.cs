using System.Buffers.Binary;

namespace Llava.Testing.HostileImages;

/// <summary>Edits baseline JPEG files marker by marker (the header segments before the first scan).</summary>
public static class JpegSegments
{
    /// <summary>A marker segment: FF, the code, a big-endian length that counts itself, the payload.</summary>
    public static byte[] Segment(byte code, ReadOnlySpan<byte> payload)
    {
        byte[] segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }

    /// <summary>The header segments up to (not including) the first SOS, as (code, whole segment bytes), and the offset of the SOS.</summary>
    public static (List<(byte Code, byte[] Bytes)> Segments, int ScanAt) Header(ReadOnlySpan<byte> jpeg)
    {
        List<(byte, byte[])> segments = [];
        int at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            segments.Add((jpeg[at + 1], jpeg.Slice(at, 2 + length).ToArray()));
            at += 2 + length;
        }

        return (segments, at);
    }

    /// <summary>SOI, the given header segments, then everything from the first SOS on.</summary>
    public static byte[] Rebuild(ReadOnlySpan<byte> jpeg, IEnumerable<byte[]> segments, int scanAt) =>
        [0xFF, 0xD8, .. segments.SelectMany(s => s), .. jpeg[scanAt..]];

    /// <summary>Inserts segments right after SOI.</summary>
    public static byte[] InsertAfterSoi(ReadOnlySpan<byte> jpeg, params byte[][] segments) =>
        [0xFF, 0xD8, .. segments.SelectMany(s => s), .. jpeg[2..]];

    /// <summary>Applies <paramref name="edit"/> to the first segment with the code, in place on a copy.</summary>
    public static byte[] EditFirst(ReadOnlySpan<byte> jpeg, byte code, Action<byte[]> edit)
    {
        (List<(byte Code, byte[] Bytes)> segments, int scanAt) = Header(jpeg);
        int index = segments.FindIndex(s => s.Code == code);
        if (index < 0)
        {
            throw new InvalidOperationException($"No FF{code:X2} segment.");
        }

        edit(segments[index].Bytes);
        return Rebuild(jpeg, segments.Select(s => s.Bytes), scanAt);
    }

    /// <summary>Removes every header segment with the code.</summary>
    public static byte[] RemoveAll(ReadOnlySpan<byte> jpeg, byte code)
    {
        (List<(byte Code, byte[] Bytes)> segments, int scanAt) = Header(jpeg);
        return Rebuild(jpeg, segments.Where(s => s.Code != code).Select(s => s.Bytes), scanAt);
    }
}
