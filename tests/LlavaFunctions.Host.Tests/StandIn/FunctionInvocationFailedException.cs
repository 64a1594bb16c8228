namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// The worker answered an invocation with a failure. Thrown into the WebJobs function so that its trigger
/// retries and poisons exactly as the host's would.
/// </summary>
public sealed class FunctionInvocationFailedException : Exception
{
    public FunctionInvocationFailedException()
    {
    }

    public FunctionInvocationFailedException(string message)
        : base(message)
    {
    }

    public FunctionInvocationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
