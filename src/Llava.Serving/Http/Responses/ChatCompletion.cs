using System.Text.Json.Serialization;
using Llava.Inference.Generation;
using Llava.Serving.Results;

namespace Llava.Serving.Http.Responses;

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

    /// <summary>The completion of <paramref name="result"/>: its text, and its finish reason and usage in OpenAI's words (<see cref="FinishReasonNames.ToOpenAi"/>).</summary>
    public static ChatCompletion From(string id, long created, string model, GenerationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new()
        {
            Id = id,
            Created = created,
            Model = model,
            Choices = [new ChatCompletionChoice(0, new ChatCompletionMessage("assistant", result.Text), FinishReasonNames.ToOpenAi(result.FinishReason))],
            Usage = ChatCompletionUsage.From(result.Usage),
        };
    }
}
