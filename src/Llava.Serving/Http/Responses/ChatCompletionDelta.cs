using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>What a chunk adds: the role (first chunk only) and a piece of content.</summary>
public sealed record ChatCompletionDelta(
    [property: JsonPropertyName("role")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonPropertyName("content")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);
