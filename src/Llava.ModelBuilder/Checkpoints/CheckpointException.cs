namespace Llava.ModelBuilder.Checkpoints;

/// <summary>A checkpoint that cannot be converted: the message names what is missing or wrong.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException()
    {
    }

    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
