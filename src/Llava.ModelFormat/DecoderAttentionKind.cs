namespace Llava.ModelFormat;

/// <summary>
/// How the decoder graph computes attention, recorded in the manifest (<c>decoder_attention</c>) because the memory
/// of a long prefill depends on it. A manifest without the field was written by a builder that only knew
/// <see cref="MatMulSoftmax"/>.
/// </summary>
public static class DecoderAttentionKind
{
    /// <summary>Plain MatMul, Where and Softmax: the prefill materialises heads x T x T scores per layer.</summary>
    public const string MatMulSoftmax = "matmul_softmax";

    /// <summary>ONNX Runtime's fused GroupQueryAttention: no T x T tensor, workspace linear in T.</summary>
    public const string GroupQueryAttention = "group_query_attention";
}
