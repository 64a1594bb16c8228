using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Images;

/// <summary>
/// An upright 8-bit RGB image as <see cref="ImageLoader"/> produced it, with what the file said about itself.
/// Owns <see cref="Pixels"/>.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    public DecodedImage(Image<Rgb24> pixels, string format, int storedWidth, int storedHeight, int orientation)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentException.ThrowIfNullOrEmpty(format);
        Pixels = pixels;
        Format = format;
        StoredWidth = storedWidth;
        StoredHeight = storedHeight;
        Orientation = orientation;
    }

    public Image<Rgb24> Pixels { get; }

    /// <summary>The container format found in the header bytes: JPEG, PNG, WebP, BMP or GIF.</summary>
    public string Format { get; }

    /// <summary>Width of the original image, upright (after the EXIF orientation); what the model sees.</summary>
    public int OriginalWidth => Pixels.Width;

    public int OriginalHeight => Pixels.Height;

    /// <summary>Width as stored in the file, before the EXIF orientation was applied.</summary>
    public int StoredWidth { get; }

    public int StoredHeight { get; }

    /// <summary>The EXIF orientation that was applied (1 = none; 2-8 as in the EXIF specification).</summary>
    public int Orientation { get; }

    public void Dispose() => Pixels.Dispose();
}
