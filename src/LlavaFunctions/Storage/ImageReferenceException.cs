namespace LlavaFunctions.Storage;

/// <summary>An image reference that cannot be used: outside the app's own account, malformed, or missing.</summary>
public sealed class ImageReferenceException : Exception
{
    public ImageReferenceException()
    {
    }

    public ImageReferenceException(string message)
        : base(message)
    {
    }

    public ImageReferenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
