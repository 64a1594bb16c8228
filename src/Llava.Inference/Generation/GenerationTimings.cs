namespace Llava.Inference.Generation;

/// <summary>Where the time of one request went.</summary>
/// <param name="Preprocess">Image decoding, resizing, tiling, normalisation and tokenization.</param>
/// <param name="QueueWait">Waiting for a free generation slot.</param>
/// <param name="TimeToFirstToken">From the start of generation (vision, embedding, prefill) to the first token.</param>
/// <param name="Decode">From the first token to the last.</param>
/// <param name="CompletionTokens">Tokens generated, for the rate.</param>
public sealed record GenerationTimings(TimeSpan Preprocess, TimeSpan QueueWait, TimeSpan TimeToFirstToken, TimeSpan Decode, int CompletionTokens)
{
    /// <summary>Decode speed after the first token (tokens per second); 0 when fewer than two tokens.</summary>
    public double DecodeTokensPerSecond => CompletionTokens > 1 && Decode > TimeSpan.Zero ? (CompletionTokens - 1) / Decode.TotalSeconds : 0;
}
