namespace Llava.Inference.Engine;

/// <summary>
/// Estimated peak bytes of one request beyond the resident weights, term by term (see docs/performance.md, "Limits
/// and memory budget", for the formula and the measured figures).
/// </summary>
public sealed record RequestMemoryEstimate
{
    /// <summary>Per-request constant: generator, tokenizer stream, buffers of a short prompt.</summary>
    public required long Fixed { get; init; }

    /// <summary>Encoded images plus the decode of the largest one (decoded pixels, RGB copy, resize buffers).</summary>
    public required long ImageDecoding { get; init; }

    /// <summary>Pixel tensors of all tiles and the feature-row index.</summary>
    public required long PixelTensors { get; init; }

    /// <summary>Vision tower activations (all tiles in one batch, one layer at a time) and its output features.</summary>
    public required long Vision { get; init; }

    /// <summary>Token embeddings of the prompt (text and image features merged).</summary>
    public required long Embeddings { get; init; }

    /// <summary>Key/value cache for prompt plus answer, past and present held together while a step runs.</summary>
    public required long KeyValueCache { get; init; }

    /// <summary>Prefill attention workspace of one layer: heads x T x T scores for MatMul/Softmax attention, linear in T for GroupQueryAttention.</summary>
    public required long AttentionWorkspace { get; init; }

    /// <summary>Prefill hidden states and MLP activations of one layer.</summary>
    public required long PrefillActivations { get; init; }

    /// <summary>Last-position logits and GenAI's copy.</summary>
    public required long Logits { get; init; }

    /// <summary>
    /// The peak: decoding happens before the vision tower runs and its buffers are gone by then, so the peak is the
    /// larger of the decode phase and the generation phase, on top of what lives through both.
    /// </summary>
    public long Total => Fixed + PixelTensors + Math.Max(ImageDecoding, Vision + Embeddings + KeyValueCache + AttentionWorkspace + PrefillActivations + Logits);
}
