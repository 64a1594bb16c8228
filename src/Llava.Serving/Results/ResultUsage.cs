using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace Llava.Serving.Results;

/// <summary>Token accounting of one answer, as every document of ours writes it; <see cref="PromptTokens"/> includes the image tokens.</summary>
public sealed record ResultUsage(
    [property: JsonPropertyName("promptTokens")] int PromptTokens,
    [property: JsonPropertyName("imageTokens")] int ImageTokens,
    [property: JsonPropertyName("completionTokens")] int CompletionTokens,
    [property: JsonPropertyName("totalTokens")] int TotalTokens)
{
    public static ResultUsage From(GenerationUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new(usage.PromptTokens, usage.ImageTokens, usage.CompletionTokens, usage.TotalTokens);
    }
}
