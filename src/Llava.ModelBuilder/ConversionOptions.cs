using Llava.ModelBuilder.Graphs;
using Llava.ModelBuilder.Onnx;
using Llava.ModelFormat;

namespace Llava.ModelBuilder;

/// <summary>What <see cref="LlavaModelConverter"/> should produce.</summary>
public sealed record ConversionOptions
{
    public ModelPrecision Precision { get; init; } = ModelPrecision.Fp32;

    /// <summary>Block size for int4 weights (power of two, 16 or more).</summary>
    public int Int4BlockSize { get; init; } = 32;

    /// <summary>int4 only: how blocks map onto their 16 levels (see <see cref="DefaultInt4Scheme"/>).</summary>
    public Int4Scheme Int4Scheme { get; init; } = DefaultInt4Scheme;

    /// <summary>The int4 scheme when none is asked for (chosen by measurement: docs/benchmarks.md, "int4 choices").</summary>
    public const Int4Scheme DefaultInt4Scheme = Int4Scheme.Asymmetric;

    /// <summary>Replace an existing output folder instead of refusing.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Emit logits for every position (for comparisons with HF; GenAI needs only the last).</summary>
    public bool AllPositionLogits { get; init; }

    /// <summary>One of <see cref="ExecutionProviderName"/>: the provider the folder is built for (and will only run on).</summary>
    public string ExecutionProvider { get; init; } = ExecutionProviderName.Cpu;

    /// <summary>The decoder's attention; <see cref="DecoderAttention.PlainOperators"/> is a test reference.</summary>
    public DecoderAttention Attention { get; init; } = DecoderAttention.GroupQuery;

    /// <summary>int4 only: quantize the LM head as well (see <see cref="GraphOptions.QuantizeLmHead"/>).</summary>
    public bool QuantizeLmHead { get; init; } = true;

    /// <summary>Name recorded as the source in the manifest; defaults to the checkpoint folder's name.</summary>
    public string? SourceName { get; init; }
}
