using System.Buffers.Binary;

namespace Llava.Inference.Images;

/// <summary>
/// ImageSharp 2.1 cannot decode animated WebP; PIL gives its first frame. The first frame is always a key frame
/// (libwebp's animation decoder writes it over a transparent canvas without blending), so wrapping its bitstream
/// chunks in a still WebP and placing the result on a black canvas gives what PIL's <c>convert("RGB")</c> gives.
/// </summary>
internal static class AnimatedWebP
{
    private const byte AnimationFlag = 0x02;
    private const byte AlphaFlag = 0x10;

    /// <summary>The canvas size from the VP8X chunk when the file is an animation; null for a still image.</summary>
    public static (int Width, int Height)? AnimationCanvas(ReadOnlySpan<byte> data)
    {
        if (data.Length < 30 || !data.Slice(12, 4).SequenceEqual("VP8X"u8) || (data[20] & AnimationFlag) == 0)
        {
            return null;
        }

        return (ReadUInt24(data[24..]) + 1, ReadUInt24(data[27..]) + 1);
    }

    /// <summary>The first ANMF frame, or null when the animation has none or it is malformed.</summary>
    public static AnimatedWebPFrame? FirstFrame(ReadOnlySpan<byte> data)
    {
        (int Width, int Height)? canvas = AnimationCanvas(data);
        if (canvas is null)
        {
            return null;
        }

        long riffEnd = Math.Min(data.Length, 8L + BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4, 4)));
        long at = 12;
        while (at + 8 <= riffEnd)
        {
            ReadOnlySpan<byte> type = data.Slice((int)at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)at + 4, 4));
            if (at + 8 + size > riffEnd)
            {
                return null;
            }

            if (type.SequenceEqual("ANMF"u8))
            {
                return size < 16 ? null : Repackage(data.Slice((int)at + 8, (int)size), canvas.Value);
            }

            at += 8 + size + (size & 1);
        }

        return null;
    }

    private static AnimatedWebPFrame? Repackage(ReadOnlySpan<byte> frame, (int Width, int Height) canvas)
    {
        int left = 2 * ReadUInt24(frame);
        int top = 2 * ReadUInt24(frame[3..]);
        int width = ReadUInt24(frame[6..]) + 1;
        int height = ReadUInt24(frame[9..]) + 1;
        ReadOnlySpan<byte> chunks = frame[16..];

        // The frame's sub-chunks: an optional ALPH before VP8, or a VP8L that carries its own alpha.
        ReadOnlySpan<byte> alph = default;
        ReadOnlySpan<byte> bitstream = default;
        bool lossless = false;
        int at = 0;
        while (at + 8 <= chunks.Length)
        {
            ReadOnlySpan<byte> type = chunks.Slice(at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunks.Slice(at + 4, 4));
            long padded = 8 + size + (size & 1);
            if (at + 8 + size > chunks.Length)
            {
                return null;
            }

            // Keep padding with the chunk when present so the still file is well formed.
            ReadOnlySpan<byte> whole = chunks.Slice(at, (int)Math.Min(padded, chunks.Length - at));
            if (type.SequenceEqual("ALPH"u8))
            {
                alph = whole;
            }
            else if (type.SequenceEqual("VP8 "u8) || type.SequenceEqual("VP8L"u8))
            {
                bitstream = whole;
                lossless = type[3] == (byte)'L';
                break;
            }

            at += (int)padded;
        }

        if (bitstream.IsEmpty || left + width > canvas.Width || top + height > canvas.Height)
        {
            return null;
        }

        bool withAlpha = !alph.IsEmpty && !lossless;
        int body = 4 + (withAlpha ? 18 + alph.Length : 0) + bitstream.Length;
        byte[] still = new byte[8 + body];
        "RIFF"u8.CopyTo(still);
        BinaryPrimitives.WriteUInt32LittleEndian(still.AsSpan(4), (uint)body);
        "WEBP"u8.CopyTo(still.AsSpan(8));
        int write = 12;
        if (withAlpha)
        {
            // A lossy frame with separate alpha needs the extended header to be a valid still image.
            "VP8X"u8.CopyTo(still.AsSpan(write));
            BinaryPrimitives.WriteUInt32LittleEndian(still.AsSpan(write + 4), 10);
            still[write + 8] = AlphaFlag;
            WriteUInt24(still.AsSpan(write + 12), width - 1);
            WriteUInt24(still.AsSpan(write + 15), height - 1);
            write += 18;
            alph.CopyTo(still.AsSpan(write));
            write += alph.Length;
        }

        bitstream.CopyTo(still.AsSpan(write));
        return new AnimatedWebPFrame(still, left, top, width, height, canvas.Width, canvas.Height);
    }

    private static int ReadUInt24(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    private static void WriteUInt24(Span<byte> data, int value)
    {
        data[0] = (byte)value;
        data[1] = (byte)(value >> 8);
        data[2] = (byte)(value >> 16);
    }
}
