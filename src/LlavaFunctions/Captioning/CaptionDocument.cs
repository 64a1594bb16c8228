using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace LlavaFunctions.Captioning;

/// <summary>
/// What the captions container holds for each uploaded image, at <c>{image name}.json</c>: the caption, or
/// the reason there is none.
/// </summary>
public sealed record CaptionDocument
{
    /// <summary>The version this app writes. 2: error codes are the HTTP API's (<c>ApiErrorCodes</c>).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The document's shape and vocabulary; documents from before the field existed read as 1.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 1;

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("sourceEtag")]
    public required string SourceEtag { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("width")]
    public int? Width { get; init; }

    [JsonPropertyName("height")]
    public int? Height { get; init; }

    [JsonPropertyName("caption")]
    public string? Caption { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("precision")]
    public string? Precision { get; init; }

    [JsonPropertyName("finishReason")]
    public FinishReason? FinishReason { get; init; }

    [JsonPropertyName("usage")]
    public GenerationUsage? Usage { get; init; }

    [JsonPropertyName("timingsMs")]
    public IReadOnlyDictionary<string, double>? TimingsMs { get; init; }

    [JsonPropertyName("error")]
    public DocumentError? Error { get; init; }

    [JsonPropertyName("createdUtc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    public const string Captioned = "captioned";
    public const string Failed = "failed";
}
