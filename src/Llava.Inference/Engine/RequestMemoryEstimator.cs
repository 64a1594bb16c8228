using Llava.ModelFormat;

namespace Llava.Inference.Engine;

/// <summary>
/// Predicts a request's peak memory from its <see cref="RequestShape"/> and the model's
/// <see cref="ModelMemoryProfile"/>. Every term is a product of sizes the request declares up front; the constants
/// count the copies ONNX Runtime and our own code make, calibrated against measured process peaks
/// (<c>llava bench memory</c>, docs/performance.md).
/// </summary>
public sealed class RequestMemoryEstimator
{
    /// <summary>Generator, tokenizer stream, channel and ONNX Runtime's per-run bookkeeping.</summary>
    public const long FixedBytes = 16L * 1024 * 1024;

    /// <summary>Decoding one pixel: the decoder's own buffers (up to 8 bytes for 16-bit PNG), the Rgb24 image and our RGB copy.</summary>
    public const int DecodeBytesPerPixel = 16;

    /// <summary>
    /// An intermediate pixel, 3 bytes in each of two buffers: the largest one (pad canvas, crop window or the rows a
    /// resize keeps between its passes) and the next step's output, which is never larger.
    /// </summary>
    public const int IntermediateBytesPerPixel = 6;

    /// <summary>T x T tensors alive at once in one layer of MatMul/Softmax attention: scores, masked scores, probabilities.</summary>
    public const int QuadraticAttentionCopies = 3;

    /// <summary>Hidden-size vectors per prompt token alive in one prefill layer (residual, norm, q, k, v, output, MLP at ~2.75x width, three of them).</summary>
    public const int PrefillHiddenCopies = 15;

    private readonly ModelMemoryProfile _profile;

    public RequestMemoryEstimator(ModelMemoryProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _profile = profile;
    }

    public ModelMemoryProfile Profile => _profile;

    public RequestMemoryEstimate Estimate(RequestShape shape)
    {
        ModelMemoryProfile p = _profile;
        long b = p.ActivationBytes;
        long t = Math.Max(0, shape.PromptTokens);
        long tiles = Math.Max(0, shape.Tiles);
        long kvLength = Math.Min(t + Math.Max(0, (long)shape.MaxNewTokens), p.ContextLength);
        long tilePixels = (long)p.TileSize * p.TileSize;
        long vt = p.VisionTokensPerTile;

        long decoding = Math.Max(0, shape.EncodedBytes)
            + (Math.Max(0, shape.LargestImagePixels) * DecodeBytesPerPixel)
            + (Math.Max(0, shape.LargestIntermediatePixels) * IntermediateBytesPerPixel);

        // Per-image arrays and their concatenation; the index as List<long> (growth) and its array copy.
        long pixelTensors = (tiles * 3 * tilePixels * b * 2) + (Math.Max(0, (long)shape.ImageTokens) * sizeof(long) * 3);

        // One layer at a time over the batch of tiles: hidden states with the 4x MLP and residuals, scores and softmax.
        long vision = tiles == 0 ? 0 : (tiles * vt * p.VisionHiddenSize * b * 8) + (tiles * p.VisionHeads * vt * vt * 4 * 2)
            + (((tiles * (vt - 1)) + 1) * p.HiddenSize * b);

        long embeddings = t * p.HiddenSize * b * 3;
        long keyValue = 2L * p.Layers * p.KeyValueHeads * p.HeadSize * kvLength * b * 2;

        // ONNX Runtime's CPU GroupQueryAttention still writes one layer's fp32 scores, heads x T x (T + new tokens),
        // during the prefill (the CUDA kernel does not; counting them keeps one formula safe for both).
        long attention = p.DecoderAttention == AttentionKind.GroupQuery
            ? (p.AttentionHeads * t * kvLength * 4) + (t * p.AttentionHeads * p.HeadSize * b * 4)
            : (QuadraticAttentionCopies * p.AttentionHeads * t * t * 4) + (2 * t * t) + (2 * t * p.AttentionHeads * p.HeadSize * b);

        long activations = t * p.HiddenSize * b * PrefillHiddenCopies;
        long logits = 2L * p.VocabSize * 4;

        return new RequestMemoryEstimate
        {
            Fixed = FixedBytes,
            ImageDecoding = decoding,
            PixelTensors = pixelTensors,
            Vision = vision,
            Embeddings = embeddings,
            KeyValueCache = keyValue,
            AttentionWorkspace = attention,
            PrefillActivations = activations,
            Logits = logits,
        };
    }

    /// <summary>
    /// A batch of <paramref name="rows"/> rows padded to one shape: <paramref name="paddedRow"/> gives the longest
    /// prompt and answer and the tiles and image tokens of all rows together (one vision run). Everything a decoder
    /// holds per sequence (embeddings, KV cache, attention workspace, activations, logits) is counted once per row;
    /// nothing is decoded any more (the rows' images were prepared before they joined).
    /// </summary>
    public RequestMemoryEstimate EstimateBatch(RequestShape paddedRow, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        RequestMemoryEstimate one = Estimate(paddedRow with { EncodedBytes = 0, LargestImagePixels = 0, LargestIntermediatePixels = 0 });
        return one with
        {
            Embeddings = one.Embeddings * rows,
            KeyValueCache = one.KeyValueCache * rows,
            AttentionWorkspace = one.AttentionWorkspace * rows,
            PrefillActivations = one.PrefillActivations * rows,
            Logits = one.Logits * rows,
        };
    }
}
