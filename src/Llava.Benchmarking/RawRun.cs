namespace Llava.Benchmarking;

/// <summary>
/// One generation through the raw graphs: time to the first token, the rest, the tokens, and the logits of the
/// prompt's last position (what the first token was picked from; for comparing precisions).
/// </summary>
public sealed record RawRun(TimeSpan TimeToFirstToken, TimeSpan Decode, IReadOnlyList<int> TokenIds, IReadOnlyList<float> PromptLogits)
{
    public double DecodeTokensPerSecond => TokenIds.Count > 1 && Decode > TimeSpan.Zero ? (TokenIds.Count - 1) / Decode.TotalSeconds : 0;
}
