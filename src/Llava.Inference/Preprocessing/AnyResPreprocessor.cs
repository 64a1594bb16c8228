using System.Diagnostics;
using Llava.Inference.Images;
using Llava.ModelFormat;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Preprocessing;

/// <summary>
/// LLaVA-NeXT's "anyres" preprocessing, as transformers v4.45.1's <c>LlavaNextImageProcessor</c>: pick the best
/// grid resolution, resize into it keeping the aspect ratio (PIL bicubic), pad with black, cut tiles row-major,
/// put the whole image squashed to one tile first, then run every tile through the CLIP steps.
/// </summary>
/// <remarks>
/// v4.45.1 pads <c>(best - fitted) // 2</c> on <b>both</b> sides, so when the difference is odd the canvas is one
/// pixel short of the best resolution, the last tile row or column is 335 pixels, and the CLIP step stretches it
/// back to 336 (resize shortest edge to 336, centre crop). That is what the reference computes, so we do the same;
/// <see cref="AnyResGeometry.PadLeft"/>/<see cref="AnyResGeometry.PadTop"/> are exactly those offsets.
/// </remarks>
public sealed class AnyResPreprocessor : IImagePreprocessor
{
    private readonly VisionPreprocessing _settings;
    private readonly ImagePreprocessingOptions _options;
    private readonly PixelNormalizer _normalizer;
    private readonly (int Height, int Width)[] _pinpoints;

    public AnyResPreprocessor(VisionPreprocessing settings, ImagePreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _options = options ?? new ImagePreprocessingOptions();
        if (_options.PadToSquare)
        {
            throw new ArgumentException("Pad-to-square is LLaVA-1.5's option; LLaVA-NeXT pads through its anyres grid.", nameof(options));
        }

        if (settings.GridPinpoints.Count == 0)
        {
            throw new ArgumentException("Anyres needs grid pinpoints; this model has none (LLaVA-1.5 uses ClipPreprocessor).", nameof(settings));
        }

        if (settings.CropSize != settings.ImageSize || settings.ImageSize % settings.PatchSize != 0)
        {
            throw new NotSupportedException($"Anyres tiles of {settings.CropSize} px for a {settings.ImageSize} px vision tower with {settings.PatchSize} px patches are not supported.");
        }

        int patchesPerSide = settings.ImageSize / settings.PatchSize;
        if (settings.FeaturesPerTile != patchesPerSide * patchesPerSide)
        {
            throw new NotSupportedException($"Anyres needs one feature row per patch ({patchesPerSide * patchesPerSide}); the model gives {settings.FeaturesPerTile} (select strategy '{settings.SelectStrategy}').");
        }

        _pinpoints = [.. settings.GridPinpoints.Select(p => p.Count == 2
            ? (p[0], p[1])
            : throw new ArgumentException($"A grid pinpoint needs [height, width]; got {p.Count} values.", nameof(settings)))];
        _settings = settings;
        _normalizer = new PixelNormalizer(settings);
    }

    public AnyResGeometry Geometry(int width, int height) =>
        AnyResGeometry.Create(width, height, _pinpoints, _settings.CropSize, _settings.PatchSize);

    /// <summary>
    /// Anyres allocates the best grid resolution (the pinpoints bound it) besides the decoded image, and the rows the
    /// first (horizontal) pass of each whole-image resize keeps: the fit into the grid and the base tile squashed to
    /// shortest_edge x shortest_edge. The squash's rows are shortest_edge wide and as many as the image is tall, so a
    /// tall strip costs more than its own pixels (1 x 16384: 336 x 16384); the decoder's height limit bounds that, so
    /// no aspect ratio is refused here.
    /// </summary>
    public ImageCost Cost(int width, int height)
    {
        AnyResGeometry geometry = Geometry(width, height);
        int edge = _settings.ShortestEdge;
        long canvas = (long)geometry.BestWidth * geometry.BestHeight;
        long squash = Math.Max((long)edge * edge, PilResampler.WindowBufferPixels(width, height, edge, edge, 0, edge, edge));
        long fit = PilResampler.WindowBufferPixels(width, height, geometry.ResizedWidth, geometry.ResizedHeight, 0, geometry.ResizedWidth, geometry.ResizedHeight);
        return new ImageCost(geometry.TileCount, geometry.ImageTokenCount, Math.Max(canvas, Math.Max(squash, fit)));
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
        AnyResGeometry geometry = Geometry(image.Width, image.Height);
        RgbBuffer pixels = RgbBuffer.From(image);
        int side = _settings.CropSize;

        // Fit, then pad symmetrically with uint8 zeros (black before normalisation).
        RgbBuffer fitted = pixels.Resize(geometry.ResizedWidth, geometry.ResizedHeight);
        RgbBuffer canvas = fitted.PasteOnto(
            geometry.ResizedWidth + (2 * geometry.PadLeft),
            geometry.ResizedHeight + (2 * geometry.PadTop),
            geometry.PadLeft,
            geometry.PadTop,
            default);

        List<RgbBuffer> tiles = new(geometry.TileCount)
        {
            // The base tile: the whole image squashed to shortest_edge x shortest_edge, aspect not kept.
            ClipPreprocessor.ToTile(pixels.Resize(_settings.ShortestEdge, _settings.ShortestEdge), _settings),
        };
        for (int top = 0; top < canvas.Height; top += side)
        {
            for (int left = 0; left < canvas.Width; left += side)
            {
                tiles.Add(ClipPreprocessor.ToTile(canvas.Slice(left, top, side, side), _settings));
            }
        }

        if (tiles.Count != geometry.TileCount)
        {
            throw new InvalidOperationException($"Cut {tiles.Count} tiles where the geometry expects {geometry.TileCount}.");
        }

        int perTile = 3 * side * side;
        float[]? float32 = null;
        Half[]? float16 = null;
        if (_options.Precision == PixelPrecision.Fp16)
        {
            float16 = new Half[tiles.Count * perTile];
            for (int t = 0; t < tiles.Count; t++)
            {
                _normalizer.Write(tiles[t], float16.AsSpan(t * perTile, perTile));
            }
        }
        else
        {
            float32 = new float[tiles.Count * perTile];
            for (int t = 0; t < tiles.Count; t++)
            {
                _normalizer.Write(tiles[t], float32.AsSpan(t * perTile, perTile));
            }
        }

        return new PreprocessedImage(float32, float16, tiles.Count, side, _settings.FeaturesPerTile, geometry, image.Width, image.Height, Stopwatch.GetElapsedTime(started));
    }
}
