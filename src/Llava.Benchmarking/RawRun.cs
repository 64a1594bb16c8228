namespace Llava.Benchmarking;

/// <summary>One generation through the raw graphs: time to the first token, the rest, and the tokens.</summary>
public sealed record RawRun(TimeSpan TimeToFirstToken, TimeSpan Decode, IReadOnlyList<int> TokenIds)
{
    public double DecodeTokensPerSecond => TokenIds.Count > 1 && Decode > TimeSpan.Zero ? (TokenIds.Count - 1) / Decode.TotalSeconds : 0;
}
