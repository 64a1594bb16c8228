namespace Llava.ModelBuilder.Onnx;

/// <summary>How each block of 4-bit weights maps onto its 16 levels.</summary>
public enum Int4Scheme
{
    /// <summary>
    /// A scale and a zero point per block: the levels span the block's own [min, max] (widened to include 0).
    /// The most exact for skewed blocks; the kernel reads one more nibble per block.
    /// </summary>
    Asymmetric,

    /// <summary>
    /// A scale per block and the fixed zero point 8 (no zero_points input): the block's largest-magnitude value
    /// lands exactly on level 0 and the levels are symmetric about 0.
    /// </summary>
    Symmetric,
}
