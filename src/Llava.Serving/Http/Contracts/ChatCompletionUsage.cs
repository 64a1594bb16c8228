using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Contracts;

/// <summary>OpenAI's usage object; <see cref="PromptTokens"/> includes the image tokens.</summary>
public sealed record ChatCompletionUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);
