using System.Text.Json.Serialization;
using Llava.Serving.Results;

namespace Llava.Cli.Running;

/// <summary>One <c>--json</c> answer line: the image, then the result contract's fields and names (<see cref="ResultFieldNames"/>).</summary>
internal sealed record JsonAnswer
{
    /// <summary>The image file the answer is about; null in a chat without one.</summary>
    [JsonPropertyName("image")]
    public required string? Image { get; init; }

    [JsonPropertyName(ResultFieldNames.Model)]
    public required string Model { get; init; }

    [JsonPropertyName(ResultFieldNames.Answer)]
    public required string Answer { get; init; }

    [JsonPropertyName(ResultFieldNames.FinishReason)]
    public required string FinishReason { get; init; }

    [JsonPropertyName(ResultFieldNames.Usage)]
    public required ResultUsage Usage { get; init; }

    [JsonPropertyName(ResultFieldNames.Timings)]
    public required ResultTimings Timings { get; init; }

    /// <summary>With <c>--token-ids</c>: the prompt's ids, BOS included and each image token once.</summary>
    [JsonPropertyName("promptIds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? PromptIds { get; init; }

    /// <summary>With <c>--token-ids</c>: the generated ids, the end-of-turn token included when it ended the answer.</summary>
    [JsonPropertyName("generatedIds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? GeneratedIds { get; init; }

    /// <summary>True when the model has random weights (the demo's tiny model): its answers are meaningless.</summary>
    [JsonPropertyName("randomWeights")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? RandomWeights { get; init; }
}
