namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>The worker went away (crashed, was killed, closed its stream) before it answered.</summary>
public sealed class WorkerUnavailableException : Exception
{
    public WorkerUnavailableException()
    {
    }

    public WorkerUnavailableException(string message)
        : base(message)
    {
    }

    public WorkerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
