using Llava.Serving.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Llava.Serving.Http.Hosting;

/// <summary>
/// The stand-alone server (<c>llava serve</c>, and the tests): Kestrel with the HTTP API's handlers mapped as minimal
/// APIs, the model loading in the background from the moment the app starts, Kestrel's body limit equal to the API's.
/// </summary>
public static class LlavaServer
{
    /// <summary>Builds the app; the caller starts it (<c>StartAsync</c>/<c>RunAsync</c>) and disposes it.</summary>
    public static WebApplication Build(LlavaServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Urls.Count == 0)
        {
            throw new ArgumentException("At least one URL to listen on is required.", nameof(options));
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LlavaServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<HttpApiOptions>>((kestrel, api) => kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton<ModelHost>(options.CreateModelHost);
        if (options.ImageResolver is { } resolver)
        {
            builder.Services.AddSingleton(resolver);
        }

        builder.Services.AddLlavaHttpApi(options.ConfigureApi);
        builder.Services.AddHostedService<ModelHostStarter>();
        options.ConfigureBuilder?.Invoke(builder);

        WebApplication app = builder.Build();
        app.MapLlavaHttpApi();
        return app;
    }
}
