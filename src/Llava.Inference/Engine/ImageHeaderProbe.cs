using System.Runtime.InteropServices;
using Llava.Inference.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace Llava.Inference.Engine;

/// <summary>
/// Reads an image's upright size from its header alone, so a request's memory can be estimated and reserved
/// before anything is decoded. Null when the header cannot be read; the loader then refuses the image with
/// its own message (it reads the same header first), and the estimate assumes the worst case meanwhile.
/// </summary>
internal static class ImageHeaderProbe
{
    private static readonly Configuration s_configuration = new(
        new JpegConfigurationModule(),
        new PngConfigurationModule(),
        new WebpConfigurationModule(),
        new BmpConfigurationModule(),
        new GifConfigurationModule());

    public static (int Width, int Height)? UprightSize(ReadOnlyMemory<byte> encoded)
    {
        ReadOnlySpan<byte> data = encoded.Span;
        if (data.IsEmpty || !ImageFormatSniffer.Sniff(data).IsAccepted)
        {
            return null;
        }

        if (AnimatedWebP.AnimationCanvas(data) is { } canvas)
        {
            return canvas.Width > 0 && canvas.Height > 0 ? canvas : null;
        }

        IImageInfo? info;
        try
        {
            // The header is all Identify reads; a stream over the caller's array avoids copying the image.
            using MemoryStream stream = MemoryMarshal.TryGetArray(encoded, out ArraySegment<byte> segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(encoded.ToArray(), writable: false);
            info = Image.Identify(s_configuration, stream);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException or EndOfStreamException
            or IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException or IOException)
        {
            // Damaged headers: the loader refuses them with the reason; here they only mean "size unknown".
            return null;
        }

        if (info is null || info.Width <= 0 || info.Height <= 0)
        {
            return null;
        }

        ushort orientation = info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value ?? 1;
        // Orientations 5-8 turn the image a quarter: the upright image is the stored one transposed.
        return orientation is >= 5 and <= 8 ? (info.Height, info.Width) : (info.Width, info.Height);
    }
}
