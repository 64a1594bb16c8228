using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Inference.Preprocessing;
using Llava.Inference.Prompts;
using Llava.ModelFormat;

namespace Llava.Inference.Engine;

/// <summary>
/// Decodes and preprocesses a request's images and lays them out for the vision graph: tiles concatenated in
/// prompt order, each image's feature rows offset by the tiles before it, all newlines pointing at the single
/// newline row the graph appends after the last tile.
/// </summary>
internal sealed class ImagePreparation
{
    private readonly ImageLoader _loader;
    private readonly IImagePreprocessor _preprocessor;
    private readonly int _maxImages;
    private readonly int _featuresPerTile;
    private readonly bool _half;

    public ImagePreparation(ModelManifest manifest, LlavaEngineOptions options)
    {
        _half = manifest.ActivationType == ActivationTypeName.Fp16;
        _featuresPerTile = manifest.Vision.FeaturesPerTile;
        _maxImages = options.MaxImagesPerRequest;
        _loader = new ImageLoader(new ImageLoadingOptions { MaxEncodedBytes = options.MaxImageBytes, MaxPixels = options.MaxImagePixels });
        _preprocessor = ImagePreprocessor.Create(manifest.Vision, new ImagePreprocessingOptions
        {
            Precision = _half ? PixelPrecision.Fp16 : PixelPrecision.Fp32,
            PadToSquare = options.PadToSquare && manifest.Vision.GridPinpoints.Count == 0,
        });
    }

    public async Task<PreparedImages> PrepareAsync(IReadOnlyList<ImagePart> parts, CancellationToken cancellationToken)
    {
        if (parts.Count > _maxImages)
        {
            throw new InvalidPromptException($"A request may carry at most {_maxImages} images; this one has {parts.Count}.");
        }

        if (parts.Count == 0)
        {
            return new PreparedImages(Array.Empty<float>(), 0, [], []);
        }

        // CPU-bound decoding and resampling: off the caller's thread.
        PreprocessedImage[] images = await Task.Run(
            () => parts.Select(part =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                using DecodedImage decoded = _loader.Load(part.Encoded.Span);
                return _preprocessor.Preprocess(decoded);
            }).ToArray(),
            cancellationToken);

        int tiles = images.Sum(i => i.TileCount);
        int tileValues = 3 * images[0].TileSize * images[0].TileSize;
        long newlineRow = (long)tiles * _featuresPerTile;
        List<long> index = [];
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
}
