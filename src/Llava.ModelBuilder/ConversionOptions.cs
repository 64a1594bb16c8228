using Llava.ModelBuilder.Graphs;

namespace Llava.ModelBuilder;

/// <summary>What <see cref="LlavaModelConverter"/> should produce.</summary>
public sealed record ConversionOptions
{
    public ModelPrecision Precision { get; init; } = ModelPrecision.Fp32;

    /// <summary>Block size for int4 weights (power of two, 16 or more).</summary>
    public int Int4BlockSize { get; init; } = 32;

    /// <summary>Replace an existing output folder instead of refusing.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Emit logits for every position (for comparisons with HF; GenAI needs only the last).</summary>
    public bool AllPositionLogits { get; init; }

    /// <summary>Name recorded as the source in the manifest; defaults to the checkpoint folder's name.</summary>
    public string? SourceName { get; init; }
}
