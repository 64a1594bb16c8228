using Llava.Serving.Hosting;
using Microsoft.Extensions.Hosting;

namespace LlavaFunctions.Configuration;

/// <summary>
/// Starts loading the model when the worker starts, without waiting for it: the language worker must be up
/// within 60 s, and a multi-GB model takes longer. Functions wait for readiness themselves, up to a bound.
/// </summary>
public sealed class ModelHostStarter(ModelHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        host.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
