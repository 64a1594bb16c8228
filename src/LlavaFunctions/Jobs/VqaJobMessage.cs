using System.Text.Json.Serialization;

namespace LlavaFunctions.Jobs;

/// <summary>
/// A queued visual-question-answering job (the message body on the jobs queue, base64-encoded JSON):
/// <code>{"jobId":"b7c2…","image":"images/cat.png","questions":["What is it?"],"options":{"maxTokens":128}}</code>
/// The image is a blob in the app's own storage account (<c>container/name</c> or its URL).
/// </summary>
public sealed record VqaJobMessage
{
    [JsonPropertyName("jobId")]
    public string? JobId { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("questions")]
    public IReadOnlyList<string>? Questions { get; init; }

    [JsonPropertyName("system")]
    public string? System { get; init; }

    [JsonPropertyName("options")]
    public JobGenerationOptions? Options { get; init; }
}
