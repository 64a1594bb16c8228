namespace Llava.Serving.Hosting;

/// <summary>
/// The model is still loading (retry later) or failed to load (retrying will not help until the deployment is
/// fixed). Triggers treat it as transient so the message or event is retried rather than lost.
/// </summary>
public sealed class ModelNotReadyException : Exception
{
    public ModelNotReadyException(ModelState state, string message, TimeSpan retryAfter)
        : base(message)
    {
        State = state;
        RetryAfter = retryAfter;
    }

    public ModelNotReadyException()
    {
    }

    public ModelNotReadyException(string message)
        : base(message)
    {
    }

    public ModelNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelState State { get; } = ModelState.Loading;

    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(10);
}
