namespace Llava.Inference.Errors;

/// <summary>The model folder cannot be served: a missing file, a checksum mismatch, an unknown variant.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException()
    {
    }

    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
