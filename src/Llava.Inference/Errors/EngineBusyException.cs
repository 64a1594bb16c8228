namespace Llava.Inference.Errors;

/// <summary>
/// Every generation slot is taken and the wait queue is full (or the wait timed out). Callers should retry
/// later: HTTP maps it to 503 with Retry-After.
/// </summary>
public sealed class EngineBusyException : Exception
{
    public EngineBusyException(TimeSpan retryAfter, string message)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    public EngineBusyException()
    {
    }

    public EngineBusyException(string message)
        : base(message)
    {
    }

    public EngineBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A reasonable time to wait before trying again.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(5);
}
