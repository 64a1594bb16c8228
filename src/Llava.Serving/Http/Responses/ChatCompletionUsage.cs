using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace Llava.Serving.Http.Responses;

/// <summary>OpenAI's usage object; <see cref="PromptTokens"/> includes the image tokens.</summary>
public sealed record ChatCompletionUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens)
{
    public static ChatCompletionUsage From(GenerationUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens);
    }
}
