namespace Llava.Inference.Preprocessing;

/// <summary>
/// One image ready for the vision graph: <c>pixel_values</c> <c>[tiles, 3, size, size]</c> (base tile first for
/// LLaVA-NeXT) and the feature rows it contributes, in order. The token count is the index's length, so the prompt,
/// the features and GenAI's buffer cannot disagree.
/// </summary>
public sealed class PreprocessedImage
{
    private readonly float[]? _float32;
    private readonly Half[]? _float16;
    private readonly int _featuresPerTile;
    private readonly long[] _featureIndex;

    internal PreprocessedImage(
        float[]? float32,
        Half[]? float16,
        int tileCount,
        int tileSize,
        int featuresPerTile,
        AnyResGeometry? geometry,
        int originalWidth,
        int originalHeight,
        TimeSpan preprocessingTime)
    {
        _float32 = float32;
        _float16 = float16;
        TileCount = tileCount;
        TileSize = tileSize;
        _featuresPerTile = featuresPerTile;
        Geometry = geometry;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
        PreprocessingTime = preprocessingTime;
        List<long> index = [];
        AppendFeatureIndex(index, firstTile: 0, newlineRow: (long)tileCount * featuresPerTile);
        _featureIndex = [.. index];
    }

    public PixelPrecision Precision => _float16 is null ? PixelPrecision.Fp32 : PixelPrecision.Fp16;

    /// <summary>float32 pixel values; empty when <see cref="Precision"/> is <see cref="PixelPrecision.Fp16"/>.</summary>
    public ReadOnlyMemory<float> PixelValues => _float32;

    /// <summary>float16 pixel values (the float32 values rounded to nearest even); empty for float32.</summary>
    public ReadOnlyMemory<Half> PixelValuesHalf => _float16;

    /// <summary>Tiles fed to the vision tower, the base tile included (1 for LLaVA-1.5).</summary>
    public int TileCount { get; }

    /// <summary>Side of a tile in pixels (336).</summary>
    public int TileSize { get; }

    /// <summary><c>[TileCount, 3, TileSize, TileSize]</c>.</summary>
    public IReadOnlyList<long> Shape => [TileCount, 3, TileSize, TileSize];

    /// <summary>Image tokens this image takes in the prompt: the length of <see cref="FeatureIndex"/>.</summary>
    public int ImageTokenCount => _featureIndex.Length;

    /// <summary>
    /// The feature rows for this image alone in a prompt (first tile 0, newline row <c>TileCount * features per tile</c>).
    /// With several images use <see cref="AppendFeatureIndex"/>.
    /// </summary>
    public IReadOnlyList<long> FeatureIndex => _featureIndex;

    /// <summary>The anyres geometry that cut the tiles; null for LLaVA-1.5.</summary>
    public AnyResGeometry? Geometry { get; }

    /// <summary>The upright image's size before any resizing (HF's <c>image_sizes</c> as width and height).</summary>
    public int OriginalWidth { get; }

    public int OriginalHeight { get; }

    public TimeSpan PreprocessingTime { get; }

    /// <summary>
    /// Appends this image's feature rows when its tiles start at <paramref name="firstTile"/> among all the prompt's
    /// tiles and the vision graph's newline row is <paramref name="newlineRow"/>.
    /// </summary>
    public void AppendFeatureIndex(List<long> index, int firstTile, long newlineRow)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (Geometry is not null)
        {
            Geometry.AppendFeatureIndex(index, firstTile, newlineRow);
            return;
        }

        long first = (long)firstTile * _featuresPerTile;
        for (long row = 0; row < (long)TileCount * _featuresPerTile; row++)
        {
            index.Add(first + row);
        }
    }
}
