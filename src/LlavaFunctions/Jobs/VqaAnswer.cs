using System.Text.Json.Serialization;
using Llava.Inference.Generation;
using Llava.Serving.Results;

namespace LlavaFunctions.Jobs;

/// <summary>One question of a job and its answer, with the result contract's fields and names (<see cref="ResultFieldNames"/>).</summary>
public sealed record VqaAnswer(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName(ResultFieldNames.Answer)] string Answer,
    [property: JsonPropertyName(ResultFieldNames.FinishReason)] string FinishReason,
    [property: JsonPropertyName(ResultFieldNames.Usage)] ResultUsage Usage,
    [property: JsonPropertyName(ResultFieldNames.Timings)] ResultTimings Timings)
{
    public static VqaAnswer From(string question, GenerationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(question, result.Text, FinishReasonNames.Of(result.FinishReason), ResultUsage.From(result.Usage), ResultTimings.From(result.Timings));
    }
}
