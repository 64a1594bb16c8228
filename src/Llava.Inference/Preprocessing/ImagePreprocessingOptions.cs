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
    /// Largest intermediate RGB buffer in pixels: the pad-to-square canvas, or the rows the resize's first pass keeps.
    /// The stored-pixel limit does not bound the canvas (a 1 x 30000 strip pads to 30000 x 30000). The shortest-edge
    /// resize is never built whole (only its centre-crop window is computed), so an extreme aspect ratio alone no
    /// longer reaches this limit. Images past it are refused as too large before anything is allocated.
    /// </summary>
    public long MaxIntermediatePixels { get; init; } = DefaultMaxIntermediatePixels;
}
