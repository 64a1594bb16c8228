using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>One choice of a <see cref="ChatCompletion"/> (there is always exactly one).</summary>
public sealed record ChatCompletionChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] ChatCompletionMessage Message,
    [property: JsonPropertyName("finish_reason")] string FinishReason);
