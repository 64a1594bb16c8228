namespace Llava.Inference.Errors;

/// <summary>The prompt plus the requested answer length does not fit the model's context.</summary>
public sealed class PromptTooLongException : Exception
{
    public PromptTooLongException(int promptTokens, int imageTokens, int maxNewTokens, int contextLength)
        : base($"The prompt needs {promptTokens} tokens ({imageTokens} of them image tokens) and up to {maxNewTokens} new tokens were requested: " +
               $"{(long)promptTokens + maxNewTokens} in all, but the model's context holds {contextLength}. Use fewer or smaller images, a shorter prompt or fewer new tokens.")
    {
        PromptTokens = promptTokens;
        ImageTokens = imageTokens;
        MaxNewTokens = maxNewTokens;
        ContextLength = contextLength;
    }

    public PromptTooLongException()
    {
    }

    public PromptTooLongException(string message)
        : base(message)
    {
    }

    public PromptTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int PromptTokens { get; }

    public int ImageTokens { get; }

    public int MaxNewTokens { get; }

    public int ContextLength { get; }
}
