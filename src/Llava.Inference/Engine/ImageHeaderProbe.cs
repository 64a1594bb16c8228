using System.Buffers.Binary;
using Llava.Inference.Images;

namespace Llava.Inference.Engine;

/// <summary>
/// Reads an image's upright size from its header alone, so a request's memory can be estimated and reserved
/// before anything is decoded. Null when the header cannot be read; the loader then refuses the image with
/// its own message, and the estimate assumes the worst case meanwhile.
/// </summary>
/// <remarks>
/// A plain bounds-checked parse of the few header bytes that hold the size, with no decoder and no metadata: this
/// runs before admission, on bytes nobody has checked yet, so it must not be a second way in for the bombs and
/// decoder exceptions that <see cref="ImageLoader"/> guards against (a self-referencing EXIF IFD, a text-chunk bomb).
/// </remarks>
internal static class ImageHeaderProbe
{
    public static (int Width, int Height)? UprightSize(ReadOnlyMemory<byte> encoded)
    {
        ReadOnlySpan<byte> data = encoded.Span;
        if (data.IsEmpty)
        {
            return null;
        }

        AcceptedFormat format = ImageFormatSniffer.Sniff(data).Format;
        if (format == AcceptedFormat.None)
        {
            return null;
        }

        if (format == AcceptedFormat.WebP && AnimatedWebP.AnimationCanvas(data) is { } canvas)
        {
            return canvas.Width > 0 && canvas.Height > 0 ? canvas : null;
        }

        (long Width, long Height)? declared = format switch
        {
            AcceptedFormat.Png => PngSize(data),
            AcceptedFormat.Gif => GifSize(data),
            AcceptedFormat.Jpeg => JpegSize(data),
            _ => ImageStructure.DeclaredSize(format, data),
        };
        if (declared is not { } size || size.Width <= 0 || size.Height <= 0 || size.Width > int.MaxValue || size.Height > int.MaxValue)
        {
            return null;
        }

        // Orientations 5-8 turn the image a quarter: the upright image is the stored one transposed.
        int orientation = ExifOrientation.Read(format, data);
        return orientation is >= 5 and <= 8 ? ((int)size.Height, (int)size.Width) : ((int)size.Width, (int)size.Height);
    }

    /// <summary>IHDR is the first chunk: width and height at bytes 16 and 20, big-endian.</summary>
    internal static (long Width, long Height)? PngSize(ReadOnlySpan<byte> data) =>
        data.Length >= 24 && data.Slice(12, 4).SequenceEqual("IHDR"u8)
            ? (BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]))
            : null;

    /// <summary>The logical screen, little-endian at bytes 6 and 8 (the loader decodes the first frame on it).</summary>
    internal static (long Width, long Height)? GifSize(ReadOnlySpan<byte> data) =>
        data.Length >= 10
            ? (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]))
            : null;

    /// <summary>The first start-of-frame segment's height and width, walking segment lengths from the start.</summary>
    internal static (long Width, long Height)? JpegSize(ReadOnlySpan<byte> data)
    {
        int at = 2;
        while (at + 4 <= data.Length)
        {
            if (data[at] != 0xFF)
            {
                return null;
            }

            byte marker = data[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                at += 2;
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                // End of image, or the scan began before any frame header: no size to read.
                return null;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                return at + 9 <= data.Length && length >= 7
                    ? (BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]))
                    : null;
            }

            if (length < 2)
            {
                return null;
            }

            at += 2 + length;
        }

        return null;
    }
}
