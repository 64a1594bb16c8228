namespace Llava.Serving.Http.Contracts;

/// <summary>Token accounting of one answer; <see cref="PromptTokens"/> includes the image tokens.</summary>
public sealed record AskUsage(int PromptTokens, int ImageTokens, int CompletionTokens, int TotalTokens);
