using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Description;
using Microsoft.Azure.WebJobs.Host.Config;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// The host's webhook routing for extensions: an extension that asks for a webhook (the blobs extension does, for
/// Event Grid) is served at <c>/runtime/webhooks/{its configuration section, lower case}</c>, and requests there go
/// to the extension's own <c>IAsyncConverter&lt;HttpRequestMessage, HttpResponseMessage&gt;</c>.
/// </summary>
#pragma warning disable CS0618 // IWebHookProvider is "not ready for public consumption", but it is how the host serves extension webhooks.
internal sealed class WebhookRegistry(Uri baseAddress) : IWebHookProvider
#pragma warning restore CS0618
{
    private readonly ConcurrentDictionary<string, IAsyncConverter<HttpRequestMessage, HttpResponseMessage>> _handlers = new(StringComparer.OrdinalIgnoreCase);

    public Uri GetUrl(IExtensionConfigProvider extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        ExtensionAttribute? attribute = extension.GetType().GetCustomAttribute<ExtensionAttribute>();
        string name = (attribute?.ConfigurationSection ?? attribute?.Name ?? extension.GetType().Name).ToLowerInvariant();
        if (extension is IAsyncConverter<HttpRequestMessage, HttpResponseMessage> handler)
        {
            _handlers[name] = handler;
        }

        return new Uri(baseAddress, "runtime/webhooks/" + name);
    }

    public IAsyncConverter<HttpRequestMessage, HttpResponseMessage>? Find(string name) => _handlers.GetValueOrDefault(name);
}
