using Microsoft.Azure.WebJobs.Host.Executors;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>A host id per stand-in, so the blob trigger's internal queue and receipts never mix between tests.</summary>
internal sealed class FixedHostIdProvider(string hostId) : IHostIdProvider
{
    public Task<string> GetHostIdAsync(CancellationToken cancellationToken) => Task.FromResult(hostId);
}
