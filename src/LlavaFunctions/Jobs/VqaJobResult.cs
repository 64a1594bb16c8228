using System.Text.Json.Serialization;
using Llava.Serving.Results;
using LlavaFunctions.Captioning;

namespace LlavaFunctions.Jobs;

/// <summary>
/// A job's document in the answers container, at <c>{jobId}.json</c>: written as <c>queued</c> when submitted
/// over HTTP, then <c>succeeded</c> with the answers or <c>failed</c> with the reason.
/// </summary>
public sealed record VqaJobResult
{
    public const string Queued = "queued";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>The version this app writes; see <see cref="CaptionDocument.CurrentVersion"/> (the two change together).</summary>
    public const int CurrentVersion = CaptionDocument.CurrentVersion;

    /// <summary>The document's shape and vocabulary; documents from before the field existed read as 1.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 1;

    [JsonPropertyName("jobId")]
    public required string JobId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("answers")]
    public IReadOnlyList<VqaAnswer> Answers { get; init; } = [];

    [JsonPropertyName(ResultFieldNames.Model)]
    public string? Model { get; init; }

    [JsonPropertyName("error")]
    public DocumentError? Error { get; init; }

    [JsonPropertyName("attempts")]
    public long Attempts { get; init; }

    [JsonPropertyName("createdUtc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    [JsonPropertyName("completedUtc")]
    public DateTimeOffset? CompletedUtc { get; init; }

    [JsonIgnore]
    public bool IsFinal => Status is Succeeded or Failed;
}
