using Llava.Serving.Hosting;
using Microsoft.Extensions.Hosting;

namespace Llava.Serving.Http.Hosting;

/// <summary>Starts loading the model in the background when the host starts, so health answers at once while it loads.</summary>
public sealed class ModelHostStarter(ModelHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        host.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
