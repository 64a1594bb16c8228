using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>The choice of a <see cref="ChatCompletionChunk"/>; <see cref="FinishReason"/> is null until the last content chunk.</summary>
public sealed record ChatCompletionChunkChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("delta")] ChatCompletionDelta Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);
