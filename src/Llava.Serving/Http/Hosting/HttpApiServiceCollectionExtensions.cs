using Llava.Serving.Http.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Llava.Serving.Http.Hosting;

/// <summary>Registers the HTTP API's handlers and options.</summary>
public static class HttpApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="HealthHandler"/>, <see cref="AskHandler"/>, <see cref="ChatCompletionsHandler"/> and <see cref="ModelsHandler"/> (singletons)
    /// and <see cref="HttpApiOptions"/>, validated at start-up. The caller registers the <see cref="Llava.Serving.Hosting.ModelHost"/>
    /// and, where it has one, an <see cref="IImageReferenceResolver"/>.
    /// </summary>
    /// <returns>The options builder, to bind configuration (for example <c>.BindConfiguration(HttpApiOptions.SectionName)</c>).</returns>
    public static OptionsBuilder<HttpApiOptions> AddLlavaHttpApi(this IServiceCollection services, Action<HttpApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<HealthHandler>();
        services.TryAddSingleton<AskHandler>();
        services.TryAddSingleton<ChatCompletionsHandler>();
        services.TryAddSingleton<ModelsHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpApiOptions>, HttpApiOptionsValidator>());
        OptionsBuilder<HttpApiOptions> options = services.AddOptions<HttpApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options.ValidateOnStart();
    }
}
