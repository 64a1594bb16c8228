namespace Llava.Inference.Errors;

/// <summary>The request itself is malformed (no user turn, image token text inside the prompt, bad options).</summary>
public sealed class InvalidPromptException : Exception
{
    public InvalidPromptException()
    {
    }

    public InvalidPromptException(string message)
        : base(message)
    {
    }

    public InvalidPromptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
