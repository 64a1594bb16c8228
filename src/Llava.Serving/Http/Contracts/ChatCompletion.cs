using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Contracts;

/// <summary>OpenAI's <c>chat.completion</c> object.</summary>
public sealed record ChatCompletion
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>Always <c>chat.completion</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; } = "chat.completion";

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("created")]
    public required long Created { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("choices")]
    public required IReadOnlyList<ChatCompletionChoice> Choices { get; init; }

    [JsonPropertyName("usage")]
    public required ChatCompletionUsage Usage { get; init; }
}
