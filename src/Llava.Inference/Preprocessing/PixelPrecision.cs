namespace Llava.Inference.Preprocessing;

/// <summary>The element type of <c>pixel_values</c>: the vision graph's input type.</summary>
public enum PixelPrecision
{
    /// <summary>float32, as transformers computes it.</summary>
    Fp32,

    /// <summary>float16 for fp16 model folders: the float32 values rounded to nearest even.</summary>
    Fp16,
}
