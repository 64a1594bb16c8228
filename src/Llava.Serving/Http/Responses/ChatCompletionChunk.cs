using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>OpenAI's <c>chat.completion.chunk</c> object: one event of a streamed completion.</summary>
public sealed record ChatCompletionChunk
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>Always <c>chat.completion.chunk</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; } = "chat.completion.chunk";

    [JsonPropertyName("created")]
    public required long Created { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>One choice; empty in the final usage chunk.</summary>
    [JsonPropertyName("choices")]
    public required IReadOnlyList<ChatCompletionChunkChoice> Choices { get; init; }

    /// <summary>Only in the usage chunk (<c>stream_options.include_usage</c>).</summary>
    [JsonPropertyName("usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatCompletionUsage? Usage { get; init; }
}
