namespace Llava.Inference.Preprocessing;

/// <summary>Choices the model folder does not make: output precision, LLaVA-1.5's optional pad-to-square, and a size guard.</summary>
public sealed record ImagePreprocessingOptions
{
    /// <summary>The default <see cref="MaxIntermediatePixels"/>: the decoder's default pixel limit, 40 megapixels.</summary>
    public const long DefaultMaxIntermediatePixels = 40_000_000;

    public PixelPrecision Precision { get; init; } = PixelPrecision.Fp32;

    /// <summary>
    /// LLaVA-1.5 only: pad to a square with the mean colour before resizing (<c>expand2square</c> from the original
    /// LLaVA repository, <c>image_aspect_ratio="pad"</c>) instead of transformers' resize-and-centre-crop, so nothing
    /// at the sides is cut off. Off by default: transformers' processors do not pad.
    /// </summary>
    public bool PadToSquare { get; init; }

    /// <summary>
    /// Largest intermediate RGB buffer (pad-to-square canvas, shortest-edge resize output) in pixels. The stored-pixel
    /// limit does not bound these: a 1 x 6000 image resized to a 336 px shortest edge is 336 x 2,016,000. Images past
    /// it are refused as too large before anything is allocated.
    /// </summary>
    public long MaxIntermediatePixels { get; init; } = DefaultMaxIntermediatePixels;
}
