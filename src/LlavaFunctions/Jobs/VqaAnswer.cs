using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace LlavaFunctions.Jobs;

/// <summary>One question of a job and its answer.</summary>
public sealed record VqaAnswer(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("finishReason")] FinishReason FinishReason,
    [property: JsonPropertyName("usage")] GenerationUsage Usage,
    [property: JsonPropertyName("timingsMs")] IReadOnlyDictionary<string, double> TimingsMs);
