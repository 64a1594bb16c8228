namespace Llava.Inference.Preprocessing;

/// <summary>Choices the model folder does not make: output precision and LLaVA-1.5's optional pad-to-square.</summary>
public sealed record ImagePreprocessingOptions
{
    public PixelPrecision Precision { get; init; } = PixelPrecision.Fp32;

    /// <summary>
    /// LLaVA-1.5 only: pad to a square with the mean colour before resizing (<c>expand2square</c> from the original
    /// LLaVA repository, <c>image_aspect_ratio="pad"</c>) instead of transformers' resize-and-centre-crop, so nothing
    /// at the sides is cut off. Off by default: transformers' processors do not pad.
    /// </summary>
    public bool PadToSquare { get; init; }
}
