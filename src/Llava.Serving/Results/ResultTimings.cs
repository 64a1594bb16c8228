using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace Llava.Serving.Results;

/// <summary>
/// Where the time of one answer went, as every document of ours writes it: milliseconds (the <c>Ms</c> suffix)
/// and the decode rate in tokens per second, each rounded to 0.01.
/// </summary>
/// <param name="PreprocessMs">Image decoding, resizing, tiling, normalisation and tokenization.</param>
/// <param name="QueueMs">Waiting for a free generation slot.</param>
/// <param name="TimeToFirstTokenMs">Vision encoder, embedding and prefill: from the start of generation to the first token.</param>
/// <param name="DecodeMs">From the first token to the last.</param>
/// <param name="TokensPerSecond">Decode rate after the first token; 0 with fewer than two tokens.</param>
public sealed record ResultTimings(
    [property: JsonPropertyName("preprocessMs")] double PreprocessMs,
    [property: JsonPropertyName("queueMs")] double QueueMs,
    [property: JsonPropertyName("timeToFirstTokenMs")] double TimeToFirstTokenMs,
    [property: JsonPropertyName("decodeMs")] double DecodeMs,
    [property: JsonPropertyName("tokensPerSecond")] double TokensPerSecond)
{
    public static ResultTimings From(GenerationTimings timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        return new(
            Milliseconds(timings.Preprocess),
            Milliseconds(timings.QueueWait),
            Milliseconds(timings.TimeToFirstToken),
            Milliseconds(timings.Decode),
            Math.Round(timings.DecodeTokensPerSecond, 2));
    }

    private static double Milliseconds(TimeSpan time) => Math.Round(time.TotalMilliseconds, 2);
}
