namespace Llava.Inference.Generation;

/// <summary>Token accounting for one request.</summary>
/// <param name="PromptTokens">Tokens the model read, image tokens included.</param>
/// <param name="ImageTokens">How many of the prompt tokens were image features.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
public sealed record GenerationUsage(int PromptTokens, int ImageTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
