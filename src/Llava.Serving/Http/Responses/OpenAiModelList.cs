using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>OpenAI's list of models: <c>{"object": "list", "data": [...]}</c>.</summary>
public sealed record OpenAiModelList
{
    /// <summary>Always <c>list</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; } = "list";

    [JsonPropertyName("data")]
    public required IReadOnlyList<OpenAiModel> Data { get; init; }
}
