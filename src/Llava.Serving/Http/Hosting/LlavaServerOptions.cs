using Llava.Serving.Hosting;
using Llava.Serving.Http.Requests;
using Microsoft.AspNetCore.Builder;

namespace Llava.Serving.Http.Hosting;

/// <summary>What <see cref="LlavaServer.Build"/> needs: where to listen, the model host, and optional hooks.</summary>
public sealed class LlavaServerOptions
{
    /// <summary>Loopback only, by default.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Addresses to listen on (<c>http://127.0.0.1:0</c> picks a free port; read it back from <c>app.Urls</c> after start).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Creates the model host; the server owns it (it is disposed with the app) and starts it when the app starts.</summary>
    public required Func<IServiceProvider, ModelHost> CreateModelHost { get; init; }

    /// <summary>HTTP API settings.</summary>
    public Action<HttpApiOptions>? ConfigureApi { get; init; }

    /// <summary>Resolves image references; none (the default) refuses them.</summary>
    public IImageReferenceResolver? ImageResolver { get; init; }

    /// <summary>How long shutdown waits for requests (streams included) before they are cancelled.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Last changes to the builder (logging, extra services) before the app is built.</summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}
