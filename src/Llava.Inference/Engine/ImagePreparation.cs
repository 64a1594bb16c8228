using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Inference.Preprocessing;
using Llava.Inference.Prompts;
using Llava.ModelFormat;

namespace Llava.Inference.Engine;

/// <summary>
/// Plans a request's images from their headers (count, size, token cost; nothing decoded), then decodes and
/// preprocesses them and lays them out for the vision graph: tiles concatenated in prompt order, each image's
/// feature rows offset by the tiles before it, all newlines pointing at the single newline row the graph appends
/// after the last tile.
/// </summary>
internal sealed class ImagePreparation
{
    private readonly ImageLoader _loader;
    private readonly IImagePreprocessor _preprocessor;
    private readonly int _maxImages;
    private readonly int _featuresPerTile;
    private readonly bool _half;
    private readonly ImageCost _worstCost;
    private readonly long _maxPixels;

    public ImagePreparation(ModelManifest manifest, LlavaEngineOptions options)
    {
        _half = manifest.ActivationType == ActivationTypeName.Fp16;
        _featuresPerTile = manifest.Vision.FeaturesPerTile;
        _maxImages = options.MaxImagesPerRequest;
        _maxPixels = options.MaxImagePixels;
        _loader = new ImageLoader(new ImageLoadingOptions { MaxEncodedBytes = options.MaxImageBytes, MaxPixels = options.MaxImagePixels });
        _preprocessor = ImagePreprocessor.Create(manifest.Vision, new ImagePreprocessingOptions
        {
            Precision = _half ? PixelPrecision.Fp16 : PixelPrecision.Fp32,
            PadToSquare = options.PadToSquare && manifest.Vision.GridPinpoints.Count == 0,
            MaxIntermediatePixels = options.MaxIntermediatePixels,
        });
        _worstCost = WorstCost(manifest.Vision);
    }

    /// <summary>
    /// Reads every image's header: refuses too many images (<see cref="RequestOverBudgetException"/>), an image too
    /// large for the loader's limits or an aspect ratio too extreme for preprocessing (<see cref="ImageRejectedException"/>),
    /// all before a pixel is decoded.
    /// </summary>
    public ImagePlan[] Plan(IReadOnlyList<ImagePart> parts)
    {
        if (parts.Count > _maxImages)
        {
            throw new RequestOverBudgetException(RequestLimit.Images, parts.Count, _maxImages, $"A request may carry at most {_maxImages} images; this one has {parts.Count}.");
        }

        ImagePlan[] plans = new ImagePlan[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            ReadOnlyMemory<byte> encoded = parts[i].Encoded;
            if (ImageHeaderProbe.UprightSize(encoded) is { } size && (long)size.Width * size.Height <= _maxPixels)
            {
                plans[i] = new ImagePlan(encoded, size.Width, size.Height, (long)size.Width * size.Height, _preprocessor.Cost(size.Width, size.Height));
            }
            else
            {
                // Unreadable or over the pixel limit: the loader refuses it; until then assume the worst it could cost.
                plans[i] = new ImagePlan(encoded, null, null, _maxPixels, _worstCost);
            }
        }

        return plans;
    }

    public async Task<PreparedImages> PrepareAsync(IReadOnlyList<ImagePlan> plans, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return new PreparedImages(Array.Empty<float>(), 0, [], []);
        }

        // CPU-bound decoding and resampling: off the caller's thread, one image at a time (the decoded pixels are
        // dropped before the next image is decoded).
        PreprocessedImage[] images = await Task.Run(
            () => plans.Select(plan =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                using DecodedImage decoded = _loader.Load(plan.Encoded.Span);
                return _preprocessor.Preprocess(decoded);
            }).ToArray(),
            cancellationToken);

        int tiles = images.Sum(i => i.TileCount);
        int tileValues = 3 * images[0].TileSize * images[0].TileSize;
        long newlineRow = (long)tiles * _featuresPerTile;
        List<long> index = new(images.Sum(i => i.ImageTokenCount));
        Array pixels = _half ? new Half[tiles * tileValues] : new float[tiles * tileValues];
        int firstTile = 0;
        foreach (PreprocessedImage image in images)
        {
            image.AppendFeatureIndex(index, firstTile, newlineRow);
            int offset = firstTile * tileValues;
            if (_half)
            {
                image.PixelValuesHalf.Span.CopyTo(((Half[])pixels).AsSpan(offset));
            }
            else
            {
                image.PixelValues.Span.CopyTo(((float[])pixels).AsSpan(offset));
            }

            firstTile += image.TileCount;
        }

        return new PreparedImages(pixels, tiles, [.. index], [.. images.Select(i => i.ImageTokenCount)]);
    }

    /// <summary>The most an image can cost: LLaVA-1.5's one tile, or the anyres grid with the most tiles filled exactly.</summary>
    private ImageCost WorstCost(VisionPreprocessing vision)
    {
        if (vision.GridPinpoints.Count == 0)
        {
            return new ImageCost(1, _featuresPerTile, _maxPixels);
        }

        ImageCost worst = default;
        foreach (IReadOnlyList<int> pinpoint in vision.GridPinpoints)
        {
            ImageCost cost = _preprocessor.Cost(pinpoint[1], pinpoint[0]);
            if (cost.ImageTokens > worst.ImageTokens)
            {
                worst = cost;
            }
        }

        return worst with { LargestIntermediatePixels = Math.Max(worst.LargestIntermediatePixels, _maxPixels) };
    }
}
