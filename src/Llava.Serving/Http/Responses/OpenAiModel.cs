using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Responses;

/// <summary>OpenAI's <c>model</c> object, plus what a client needs to size its requests to the loaded model.</summary>
public sealed record OpenAiModel
{
    /// <summary>The served model's name: its variant, which is also what answers report as <c>model</c> by default.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>Always <c>model</c>.</summary>
    [JsonPropertyName("object")]
    public string ObjectType { get; } = "model";

    /// <summary>Unix seconds when the model folder was converted.</summary>
    [JsonPropertyName("created")]
    public required long Created { get; init; }

    /// <summary>The owner of the source checkpoint (<c>llava-hf</c> for <c>llava-hf/llava-1.5-7b-hf</c>), else <c>local</c>.</summary>
    [JsonPropertyName("owned_by")]
    public required string OwnedBy { get; init; }

    /// <summary>Tokens of prompt (image tokens included) plus answer the model holds.</summary>
    [JsonPropertyName("context_length")]
    public required int ContextLength { get; init; }

    [JsonPropertyName("variant")]
    public required string Variant { get; init; }

    [JsonPropertyName("precision")]
    public required string Precision { get; init; }

    /// <summary>The llava-hf checkpoint the folder was converted from.</summary>
    [JsonPropertyName("source_checkpoint")]
    public required string SourceCheckpoint { get; init; }
}
