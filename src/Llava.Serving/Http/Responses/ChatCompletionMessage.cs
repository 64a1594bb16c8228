using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>The assistant message of a <see cref="ChatCompletionChoice"/>.</summary>
public sealed record ChatCompletionMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);
