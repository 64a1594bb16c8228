namespace Llava.ModelBuilder.Graphs;

/// <summary>How the decoder graph computes attention and keeps its KV cache.</summary>
public enum DecoderAttention
{
    /// <summary>
    /// The product graph, as ONNX Runtime GenAI's own builder emits Llama/Mistral: <c>GroupQueryAttention</c>
    /// (com.microsoft) with rotary fused in, a packed QKV projection and a KV cache that GenAI allocates once per
    /// request at <c>max_length</c> and shares between past and present (<c>past_present_share_buffer</c> true).
    /// </summary>
    GroupQuery,

    /// <summary>
    /// Standard ONNX operators only (MatMul/Softmax attention over the whole score matrix, concatenated KV): slow,
    /// but every step is visible, so tests keep it as a second, independent reference. Not a product path.
    /// </summary>
    PlainOperators,
}
