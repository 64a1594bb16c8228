using Llava.Inference.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Preprocessing;

/// <summary>
/// Packed 8-bit RGB rows, the uint8 array transformers works on before rescaling. Every geometric step
/// (resize, pad, crop, tile) happens here, in integers, as in transformers v4.45.1.
/// </summary>
internal sealed class RgbBuffer
{
    public RgbBuffer(int width, int height, byte[] data)
    {
        if (data.Length != width * height * 3)
        {
            throw new ArgumentException($"{width}x{height} RGB needs {width * height * 3} bytes, not {data.Length}.", nameof(data));
        }

        Width = width;
        Height = height;
        Data = data;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Data { get; }

    public static RgbBuffer From(Image<Rgb24> image)
    {
        byte[] data = new byte[checked(image.Width * image.Height * 3)];
        image.CopyPixelDataTo(data);
        return new RgbBuffer(image.Width, image.Height, data);
    }

    /// <summary>PIL bicubic; the same buffer when the size does not change (PIL would copy, the pixels are equal).</summary>
    public RgbBuffer Resize(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return this;
        }

        byte[] data = new byte[width * height * 3];
        PilResampler.ResizeBicubic(Data, Width, Height, data, width, height);
        return new RgbBuffer(width, height, data);
    }

    /// <summary>
    /// <c>Resize(width, height).CenterCrop(cropWidth, cropHeight)</c>, bit for bit, computing only the resized
    /// pixels the crop keeps: memory grows with the crop, not with the resize (which an extreme aspect ratio makes
    /// millions of pixels long).
    /// </summary>
    public RgbBuffer ResizeAndCenterCrop(int width, int height, int cropWidth, int cropHeight)
    {
        if (width == Width && height == Height)
        {
            return CenterCrop(cropWidth, cropHeight);
        }

        (int left, int top) = CenterCropOffsets(width, height, cropWidth, cropHeight);
        // The part of the crop window inside the resized image; CenterCrop pads the rest with zeros.
        int x0 = Math.Max(0, left);
        int y0 = Math.Max(0, top);
        int visibleWidth = Math.Min(width, left + cropWidth) - x0;
        int visibleHeight = Math.Min(height, top + cropHeight) - y0;
        byte[] visible = new byte[visibleWidth * visibleHeight * 3];
        PilResampler.ResizeBicubicWindow(Data, Width, Height, width, height, x0, y0, visible, visibleWidth, visibleHeight);
        RgbBuffer window = new(visibleWidth, visibleHeight, visible);
        return visibleWidth == cropWidth && visibleHeight == cropHeight
            ? window
            : window.PasteOnto(cropWidth, cropHeight, x0 - left, y0 - top, default);
    }

    /// <summary>
    /// Where <see cref="CenterCrop"/>'s window starts in a <paramref name="width"/> x <paramref name="height"/> image:
    /// <c>(size - crop) // 2</c>, negative when the image is smaller than the crop.
    /// </summary>
    public static (int Left, int Top) CenterCropOffsets(int width, int height, int cropWidth, int cropHeight) =>
        (FloorHalf(width - cropWidth), FloorHalf(height - cropHeight));

    /// <summary>The rectangle clipped to the image, as a NumPy slice <c>[top:top+h, left:left+w]</c> would be.</summary>
    public RgbBuffer Slice(int left, int top, int width, int height)
    {
        int right = Math.Min(Width, left + width);
        int bottom = Math.Min(Height, top + height);
        left = Math.Max(0, left);
        top = Math.Max(0, top);
        int w = Math.Max(0, right - left);
        int h = Math.Max(0, bottom - top);
        byte[] data = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            Data.AsSpan((((top + y) * Width) + left) * 3, w * 3).CopyTo(data.AsSpan(y * w * 3));
        }

        return new RgbBuffer(w, h, data);
    }

    /// <summary>A canvas of the given colour with this image pasted at (left, top); the image must fit.</summary>
    public RgbBuffer PasteOnto(int canvasWidth, int canvasHeight, int left, int top, Rgb24 background)
    {
        byte[] data = new byte[canvasWidth * canvasHeight * 3];
        if (background.R != 0 || background.G != 0 || background.B != 0)
        {
            for (int i = 0; i < data.Length; i += 3)
            {
                data[i] = background.R;
                data[i + 1] = background.G;
                data[i + 2] = background.B;
            }
        }

        for (int y = 0; y < Height; y++)
        {
            Data.AsSpan(y * Width * 3, Width * 3).CopyTo(data.AsSpan((((top + y) * canvasWidth) + left) * 3));
        }

        return new RgbBuffer(canvasWidth, canvasHeight, data);
    }

    /// <summary>
    /// transformers' <c>center_crop</c>: offsets <c>(size - crop) // 2</c>; an image smaller than the crop is first
    /// zero-padded, centred with <c>ceil</c> of half the difference, and the crop window clipped to that canvas.
    /// </summary>
    public RgbBuffer CenterCrop(int cropWidth, int cropHeight)
    {
        int top = FloorHalf(Height - cropHeight);
        int left = FloorHalf(Width - cropWidth);
        if (top >= 0 && left >= 0 && top + cropHeight <= Height && left + cropWidth <= Width)
        {
            return top == 0 && left == 0 && cropWidth == Width && cropHeight == Height ? this : Slice(left, top, cropWidth, cropHeight);
        }

        int newHeight = Math.Max(cropHeight, Height);
        int newWidth = Math.Max(cropWidth, Width);
        int topPad = (newHeight - Height + 1) / 2;
        int leftPad = (newWidth - Width + 1) / 2;
        RgbBuffer padded = PasteOnto(newWidth, newHeight, leftPad, topPad, default);
        return padded.Slice(left + leftPad, top + topPad, cropWidth, cropHeight);
    }

    /// <summary>Python's <c>x // 2</c> (floor, also for negative x).</summary>
    private static int FloorHalf(int x) => x >> 1;
}
