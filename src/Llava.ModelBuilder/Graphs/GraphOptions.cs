using Llava.ModelBuilder.Onnx;
using Llava.ModelFormat;

namespace Llava.ModelBuilder.Graphs;

/// <summary>Choices that shape the ONNX graphs, shared by the three graph builders.</summary>
public sealed record GraphOptions
{
    public ModelPrecision Precision { get; init; } = ModelPrecision.Fp32;

    /// <summary>Block size of the int4 quantizer (a power of two, at least 16).</summary>
    public int Int4BlockSize { get; init; } = 32;

    /// <summary>How int4 blocks map onto their 16 levels.</summary>
    public Int4Scheme Int4Scheme { get; init; } = ConversionOptions.DefaultInt4Scheme;

    /// <summary>
    /// Emit logits for every position instead of only each sequence's last real one. GenAI only needs the last
    /// row; the full matrix (prompt length x vocabulary, hundreds of MB for an anyres prompt) is for comparing
    /// with HF.
    /// </summary>
    public bool AllPositionLogits { get; init; }

    /// <summary>One of <see cref="ExecutionProviderName"/>: the provider whose kernels the graphs are built for.</summary>
    public string ExecutionProvider { get; init; } = ExecutionProviderName.Cpu;

    public DecoderAttention Attention { get; init; } = DecoderAttention.GroupQuery;

    /// <summary>
    /// int4 only: quantize the LM head too (block-wise 4-bit like the other linears). It is the largest single
    /// matrix of the small models (vocabulary x hidden) and is read on every decoded token.
    /// </summary>
    public bool QuantizeLmHead { get; init; } = true;

    /// <summary>
    /// Activations are float16 for fp16 models and for int4 on CUDA (GenAI's CUDA kernels for GroupQueryAttention
    /// have no float32 version); float32 otherwise.
    /// </summary>
    public bool Float16Activations =>
        Precision == ModelPrecision.Fp16 || (Precision == ModelPrecision.Int4 && ExecutionProvider == ExecutionProviderName.Cuda);

    /// <summary>
    /// MatMulNBits accuracy level: 4 on CPU (activations quantized to int8 per block, integer dot products: the
    /// fast CPU path), 0 on CUDA (the attribute is unused there; GenAI's builder leaves it unset).
    /// </summary>
    public int Int4AccuracyLevel => ExecutionProvider == ExecutionProviderName.Cpu ? 4 : 0;
}
