namespace Llava.Serving.Http.Requests;

/// <summary>Thrown by an <see cref="IImageReferenceResolver"/>; the message is shown to the client, so it must not leak secrets.</summary>
public sealed class ImageReferenceException : Exception
{
    public ImageReferenceException(ImageReferenceFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public ImageReferenceException(ImageReferenceFailure failure, string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = failure;
    }

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

    public ImageReferenceFailure Failure { get; } = ImageReferenceFailure.NotAllowed;

    /// <summary>For <see cref="ImageReferenceFailure.Unavailable"/>: when to try again.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
