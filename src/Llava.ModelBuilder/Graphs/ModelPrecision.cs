namespace Llava.ModelBuilder.Graphs;

/// <summary>How the converted model stores its weights and computes.</summary>
public enum ModelPrecision
{
    /// <summary>float32 weights and activations: the reference precision.</summary>
    Fp32,

    /// <summary>float16 weights and activations; norms and softmax are computed in float32, as HF does.</summary>
    Fp16,

    /// <summary>
    /// Block-wise 4-bit weights (ORT MatMulNBits, round-to-nearest with zero points) for the decoder's linear
    /// layers; everything else stays float32.
    /// </summary>
    Int4,
}
