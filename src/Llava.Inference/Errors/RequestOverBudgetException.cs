namespace Llava.Inference.Errors;

/// <summary>
/// The request is larger than one replica will take on: more images than allowed, or a prompt, an image or a whole
/// request whose estimated peak memory does not fit the engine's memory budget. Refused before any image is
/// decoded or a generation slot is taken. <see cref="Limit"/> (one of <see cref="RequestLimit"/>) names the limit,
/// <see cref="Value"/> is this request's figure and <see cref="Maximum"/> the most the limit allows.
/// </summary>
public sealed class RequestOverBudgetException : Exception
{
    public RequestOverBudgetException(string limit, long value, long maximum, string message)
        : base(message)
    {
        Limit = limit;
        Value = value;
        Maximum = maximum;
    }

    public RequestOverBudgetException()
    {
    }

    public RequestOverBudgetException(string message)
        : base(message)
    {
    }

    public RequestOverBudgetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>One of <see cref="RequestLimit"/>.</summary>
    public string Limit { get; } = RequestLimit.MemoryBytes;

    public long Value { get; }

    public long Maximum { get; }
}
