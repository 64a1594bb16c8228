using System.Text.Json.Serialization;
using Llava.Inference.Generation;
using Llava.Serving.Results;

namespace Llava.Serving.Http.Responses;

/// <summary>The answer of <c>POST /api/ask</c> (also the data of the final <c>done</c> event when streaming): the result contract's fields.</summary>
public sealed record AskResponse
{
    /// <summary>The generated text.</summary>
    [JsonPropertyName(ResultFieldNames.Answer)]
    public required string Answer { get; init; }

    /// <summary>One of <see cref="FinishReasonNames"/>.</summary>
    [JsonPropertyName(ResultFieldNames.FinishReason)]
    public required string FinishReason { get; init; }

    [JsonPropertyName(ResultFieldNames.Usage)]
    public required ResultUsage Usage { get; init; }

    [JsonPropertyName(ResultFieldNames.Timings)]
    public required ResultTimings Timings { get; init; }

    /// <summary>The served model's variant (for example <c>llava-1.5</c>).</summary>
    [JsonPropertyName(ResultFieldNames.Model)]
    public required string Model { get; init; }

    public static AskResponse From(GenerationResult result, string model)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new()
        {
            Answer = result.Text,
            FinishReason = FinishReasonNames.Of(result.FinishReason),
            Usage = ResultUsage.From(result.Usage),
            Timings = ResultTimings.From(result.Timings),
            Model = model,
        };
    }
}
