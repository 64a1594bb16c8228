namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>One invocation the stand-in sent to a worker, and how it ended.</summary>
/// <param name="Function">The function's name in the worker's metadata.</param>
/// <param name="InvocationId">The id sent in the InvocationRequest.</param>
/// <param name="WorkerId">The worker process it went to (changes when the worker restarts).</param>
/// <param name="Outcome"><c>Success</c>, <c>Failure</c> (with the worker's exception message in <paramref name="Detail"/>) or <c>WorkerUnavailable</c>.</param>
/// <param name="Detail">The failure message, if any.</param>
public sealed record InvocationRecord(string Function, string InvocationId, string WorkerId, string Outcome, string? Detail)
{
    public const string Success = "Success";
    public const string Failure = "Failure";
    public const string WorkerUnavailable = "WorkerUnavailable";
}
