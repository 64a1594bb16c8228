namespace Llava.Inference.Images;

/// <summary>Limits checked before any pixel is decoded, so hostile input is refused cheaply.</summary>
public sealed record ImageLoadingOptions
{
    /// <summary>Largest accepted encoded input: 20 MiB.</summary>
    public long MaxEncodedBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Largest accepted width x height as stored in the file: 40 megapixels.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    public int MaxWidth { get; init; } = 16384;

    public int MaxHeight { get; init; } = 16384;

    /// <summary>Rotate/flip to upright from the EXIF orientation tag (as PIL's ImageOps.exif_transpose).</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEncodedBytes, 1, nameof(MaxEncodedBytes));
        // The whole input is held in one array.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxEncodedBytes, Array.MaxLength - 1, nameof(MaxEncodedBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPixels, 1, nameof(MaxPixels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWidth, 1, nameof(MaxWidth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeight, 1, nameof(MaxHeight));
    }
}
