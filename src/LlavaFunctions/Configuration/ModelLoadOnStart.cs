using Llava.Serving.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlavaFunctions.Configuration;

/// <summary>
/// Starts loading the model in the background when the host starts. The <see cref="ModelHost"/> is resolved in
/// <see cref="StartAsync"/>, not injected: the host builds every hosted service before it runs start-up validation
/// (<c>ValidateOnStart</c>), and building the model host from bad settings there would stop the app with the first
/// options' problems only, instead of every problem of every options type.
/// </summary>
internal sealed class ModelLoadOnStart(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<ModelHost>().Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
