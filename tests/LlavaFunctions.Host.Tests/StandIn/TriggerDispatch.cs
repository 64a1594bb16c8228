using System.Collections.Concurrent;
using Microsoft.Azure.WebJobs;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// The one call every generated WebJobs trigger method makes: it finds the stand-in that generated it and hands the
/// bound trigger (as the extension's ParameterBindingData) to that stand-in's worker.
/// </summary>
public static class TriggerDispatch
{
    private static readonly ConcurrentDictionary<string, FunctionsHostStandIn> s_hosts = new(StringComparer.Ordinal);

    internal static void Register(string hostId, FunctionsHostStandIn host) => s_hosts[hostId] = host;

    internal static void Unregister(string hostId) => s_hosts.TryRemove(hostId, out _);

    /// <summary>Called by generated code only.</summary>
    public static Task InvokeAsync(string hostId, string functionName, ParameterBindingData trigger, CancellationToken cancellationToken) =>
        s_hosts.TryGetValue(hostId, out FunctionsHostStandIn? host)
            ? host.InvokeTriggerAsync(functionName, trigger, cancellationToken)
            : throw new InvalidOperationException($"No stand-in host {hostId} is running.");
}
