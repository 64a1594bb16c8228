using System.Diagnostics;
using Llava.Inference.Images;
using Llava.ModelFormat;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Preprocessing;

/// <summary>
/// LLaVA-1.5's preprocessing, as transformers v4.45.1's <c>CLIPImageProcessor</c>: resize the shortest edge to
/// <c>shortest_edge</c> (PIL bicubic, aspect kept), centre crop to <c>crop_size</c>, rescale, normalise. One tile.
/// </summary>
public sealed class ClipPreprocessor : IImagePreprocessor
{
    private readonly VisionPreprocessing _settings;
    private readonly ImagePreprocessingOptions _options;
    private readonly PixelNormalizer _normalizer;
    private readonly Rgb24 _padColour;

    public ClipPreprocessor(VisionPreprocessing settings, ImagePreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ShortestEdge, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.CropSize, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.FeaturesPerTile, 1, nameof(settings));
        _settings = settings;
        _options = options ?? new ImagePreprocessingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxIntermediatePixels, (long)settings.CropSize * settings.CropSize, nameof(options));
        _normalizer = new PixelNormalizer(settings);
        _padColour = MeanColour(settings);
    }

    /// <summary>
    /// The original LLaVA's background for <c>expand2square</c>: <c>int(x * 255)</c> of each mean, (122, 116, 104)
    /// for CLIP's mean.
    /// </summary>
    public Rgb24 PadColour => _padColour;

    /// <summary>
    /// transformers' <c>get_resize_output_image_size(default_to_square=False)</c>: the short side becomes
    /// <paramref name="shortestEdge"/>, the long side <c>int(shortestEdge * long / short)</c> (truncated).
    /// </summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shortestEdge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        (long shortSide, long longSide) = LongSides(width, height, shortestEdge);
        int newLong = (int)Math.Min(longSide, int.MaxValue);
        return width <= height ? ((int)shortSide, newLong) : (newLong, (int)shortSide);
    }

    /// <summary>
    /// The largest intermediate is the pad-to-square canvas when padding, else the larger of the crop and the rows the
    /// resize's first pass keeps for the crop window: never the whole shortest-edge resize, which is not built.
    /// </summary>
    public ImageCost Cost(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        long largest = 0;
        if (_options.PadToSquare && width != height)
        {
            long side = Math.Max(width, height);
            largest = Check(side * side, $"padding it to a {side} x {side} square");
            width = height = (int)side;
        }

        (long shortSide, long longSide) = LongSides(width, height, _settings.ShortestEdge);
        if (longSide > int.MaxValue)
        {
            Check(long.MaxValue, $"resizing its shortest edge to {shortSide} px makes it {longSide} px long");
        }

        int crop = _settings.CropSize;
        (int resizedWidth, int resizedHeight) = ResizedSize(width, height, _settings.ShortestEdge);
        (int left, int top) = RgbBuffer.CenterCropOffsets(resizedWidth, resizedHeight, crop, crop);
        int y0 = Math.Max(0, top);
        int visibleWidth = Math.Min(resizedWidth, left + crop) - Math.Max(0, left);
        int visibleHeight = Math.Min(resizedHeight, top + crop) - y0;
        long firstPassRows = PilResampler.WindowBufferPixels(width, height, resizedWidth, resizedHeight, y0, visibleWidth, visibleHeight);
        largest = Math.Max(largest, Check(Math.Max((long)crop * crop, firstPassRows), "resizing it"));
        return new ImageCost(1, _settings.FeaturesPerTile, largest);
    }

    public PreprocessedImage Preprocess(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Preprocess(image.Pixels);
    }

    public PreprocessedImage Preprocess(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        Cost(image.Width, image.Height);
        RgbBuffer pixels = RgbBuffer.From(image);
        if (_options.PadToSquare)
        {
            pixels = ExpandToSquare(pixels, _padColour);
        }

        RgbBuffer tile = ToTile(pixels, _settings);
        int side = _settings.CropSize;
        int count = 3 * side * side;
        float[]? float32 = null;
        Half[]? float16 = null;
        if (_options.Precision == PixelPrecision.Fp16)
        {
            float16 = new Half[count];
            _normalizer.Write(tile, float16);
        }
        else
        {
            float32 = new float[count];
            _normalizer.Write(tile, float32);
        }

        return new PreprocessedImage(float32, float16, 1, side, _settings.FeaturesPerTile, null, image.Width, image.Height, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The CLIP steps on uint8 pixels: shortest-edge resize, then centre crop. Only the crop window of the resize is
    /// computed (bit for bit the same pixels), so an extreme aspect ratio costs no more than an ordinary image.
    /// </summary>
    internal static RgbBuffer ToTile(RgbBuffer pixels, VisionPreprocessing settings)
    {
        (int width, int height) = ResizedSize(pixels.Width, pixels.Height, settings.ShortestEdge);
        return pixels.ResizeAndCenterCrop(width, height, settings.CropSize, settings.CropSize);
    }

    /// <summary>The original LLaVA's <c>expand2square</c>: the image pasted at the centre (offset floored) of a square.</summary>
    private static RgbBuffer ExpandToSquare(RgbBuffer pixels, Rgb24 background)
    {
        if (pixels.Width == pixels.Height)
        {
            return pixels;
        }

        int side = Math.Max(pixels.Width, pixels.Height);
        return pixels.PasteOnto(side, side, (side - pixels.Width) / 2, (side - pixels.Height) / 2, background);
    }

    /// <summary>The shortest-edge resize in 64-bit arithmetic: (short side, long side), the long side truncated as transformers does.</summary>
    private static (long Short, long Long) LongSides(int width, int height, int shortestEdge)
    {
        (int shortSide, int longSide) = width <= height ? (width, height) : (height, width);
        return (shortestEdge, (long)((double)((long)shortestEdge * longSide) / shortSide));
    }

    private long Check(long pixels, string what)
    {
        if (pixels > _options.MaxIntermediatePixels)
        {
            throw new ImageRejectedException(
                ImageRejectionReason.TooLarge,
                pixels == long.MaxValue
                    ? $"The image's aspect ratio is too extreme: {what}, more than can be indexed."
                    : $"The image's aspect ratio is too extreme: {what} needs a buffer of {pixels} pixels, over the limit of {_options.MaxIntermediatePixels}.");
        }

        return pixels;
    }

    private static Rgb24 MeanColour(VisionPreprocessing settings)
    {
        if (settings.ImageMean.Count != 3)
        {
            throw new ArgumentException($"image_mean needs 3 values; got {settings.ImageMean.Count}.", nameof(settings));
        }

        return new Rgb24(ToByte(settings.ImageMean[0]), ToByte(settings.ImageMean[1]), ToByte(settings.ImageMean[2]));

        static byte ToByte(float mean) => (byte)Math.Clamp((int)(mean * 255.0), 0, 255);
    }
}
