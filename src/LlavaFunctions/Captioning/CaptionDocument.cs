using System.Text.Json.Serialization;
using Llava.Inference.Generation;
using Llava.Serving.Results;

namespace LlavaFunctions.Captioning;

/// <summary>
/// What the captions container holds for each uploaded image, at <c>{image name}.json</c>: the caption, or
/// the reason there is none.
/// </summary>
public sealed record CaptionDocument
{
    /// <summary>
    /// The version this app writes. 2: error codes are the catalogue's (<c>ApiErrorCodes</c>). 3: the result
    /// contract's finish reasons (<c>stop</c>, not <c>endOfTurn</c>) and <c>timings</c> (was <c>timingsMs</c>).
    /// </summary>
    public const int CurrentVersion = 3;

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

    /// <summary>The generated text, exactly as decoded (the result contract's <c>answer</c>).</summary>
    [JsonPropertyName("caption")]
    public string? Caption { get; init; }

    [JsonPropertyName(ResultFieldNames.Model)]
    public string? Model { get; init; }

    [JsonPropertyName("precision")]
    public string? Precision { get; init; }

    /// <summary>One of <see cref="FinishReasonNames"/>.</summary>
    [JsonPropertyName(ResultFieldNames.FinishReason)]
    public string? FinishReason { get; init; }

    [JsonPropertyName(ResultFieldNames.Usage)]
    public ResultUsage? Usage { get; init; }

    [JsonPropertyName(ResultFieldNames.Timings)]
    public ResultTimings? Timings { get; init; }

    [JsonPropertyName("error")]
    public DocumentError? Error { get; init; }

    [JsonPropertyName("createdUtc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    public const string Captioned = "captioned";
    public const string Failed = "failed";

    /// <summary>The captioned document of one blob version: the result contract's fields, the answer as <c>caption</c>.</summary>
    public static CaptionDocument ForCaption(string source, string sourceEtag, string? contentType, int? width, int? height, GenerationResult result, string model, string precision)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new()
        {
            Version = CurrentVersion,
            Status = Captioned,
            Source = source,
            SourceEtag = sourceEtag,
            ContentType = contentType,
            Width = width,
            Height = height,
            Caption = result.Text,
            Model = model,
            Precision = precision,
            FinishReason = FinishReasonNames.Of(result.FinishReason),
            Usage = ResultUsage.From(result.Usage),
            Timings = ResultTimings.From(result.Timings),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
    }
}
