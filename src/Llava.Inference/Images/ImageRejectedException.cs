namespace Llava.Inference.Images;

/// <summary>The one error <see cref="ImageLoader"/> raises for input it will not decode; the message is safe to show to the sender.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(ImageRejectionReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public ImageRejectedException(ImageRejectionReason reason, string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public ImageRejectedException()
    {
    }

    public ImageRejectedException(string message)
        : base(message)
    {
    }

    public ImageRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageRejectionReason Reason { get; } = ImageRejectionReason.Corrupt;
}
