namespace Llava.ModelBuilder.Graphs;

/// <summary>Choices that shape the ONNX graphs, shared by the three graph builders.</summary>
public sealed record GraphOptions
{
    public ModelPrecision Precision { get; init; } = ModelPrecision.Fp32;

    /// <summary>Block size of the int4 quantizer (a power of two, at least 16).</summary>
    public int Int4BlockSize { get; init; } = 32;

    /// <summary>
    /// Emit logits for every position instead of only the last one. GenAI only needs the last row; the full
    /// matrix (prompt length x vocabulary, hundreds of MB for an anyres prompt) is for comparing with HF.
    /// </summary>
    public bool AllPositionLogits { get; init; }
}
