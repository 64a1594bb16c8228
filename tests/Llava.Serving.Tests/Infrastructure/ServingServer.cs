using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Loading;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, built by <see cref="LlavaServer.Build"/> exactly as
/// <c>llava serve</c> builds it, with its logs captured.
/// </summary>
internal sealed class ServingServer : IAsyncDisposable
{
    private ServingServer(WebApplication app, Uri baseAddress, CapturingLoggerProvider logs)
    {
        App = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Host = app.Services.GetRequiredService<ModelHost>();
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public ModelHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>Starts a server; the model starts loading at once (or when <paramref name="acquireFolder"/> lets it).</summary>
    public static async Task<ServingServer> StartAsync(
        LlavaEngineOptions? engine = null,
        Action<HttpApiOptions>? api = null,
        Func<IProgress<ModelLoadProgress>, CancellationToken, Task<string>>? acquireFolder = null,
        IImageReferenceResolver? resolver = null)
    {
        LlavaEngineOptions options = engine ?? TinyServing.EngineOptions();
        CapturingLoggerProvider logs = new();
        WebApplication app = LlavaServer.Build(new LlavaServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            CreateModelHost = services => acquireFolder is null
                ? ModelHost.ForLocalFolder(options, services.GetRequiredService<ILoggerFactory>())
                : new ModelHost(options, acquireFolder, services.GetRequiredService<ILoggerFactory>()),
            ConfigureApi = api,
            ImageResolver = resolver,
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            ConfigureBuilder = builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            },
        });
        await app.StartAsync();
        Uri address = new(app.Urls.Single());
        Assert.Equal("127.0.0.1", address.Host);
        return new ServingServer(app, address, logs);
    }

    /// <summary>Starts a server and waits for its model.</summary>
    public static async Task<ServingServer> StartReadyAsync(LlavaEngineOptions? engine = null, Action<HttpApiOptions>? api = null, IImageReferenceResolver? resolver = null)
    {
        ServingServer server = await StartAsync(engine, api, resolver: resolver);
        await server.EngineAsync();
        return server;
    }

    /// <summary>The loaded engine (the same one the server uses).</summary>
    public Task<LlavaEngine> EngineAsync() => Host.Ready.WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
