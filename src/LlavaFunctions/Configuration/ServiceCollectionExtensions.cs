using Llava.Inference;
using Llava.Inference.Loading;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
using LlavaFunctions.Captioning;
using LlavaFunctions.Http;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Configuration;

/// <summary>Everything the app registers, in one place.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the app's services and settings (<see cref="AddLlavaSettings"/>), with the host.json the build copies
    /// next to the worker.
    /// </summary>
    public static IServiceCollection AddLlavaFunctions(this IServiceCollection services, IConfiguration configuration) =>
        services.AddLlavaFunctions(configuration, HostRetrySettings.DefaultHostJsonPath);

    /// <inheritdoc cref="AddLlavaFunctions(IServiceCollection, IConfiguration)"/>
    /// <param name="services">The worker's services.</param>
    /// <param name="configuration">App settings.</param>
    /// <param name="hostJsonPath">The host.json whose retry counts the app follows.</param>
    public static IServiceCollection AddLlavaFunctions(this IServiceCollection services, IConfiguration configuration, string hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLlavaSettings(configuration, hostJsonPath);
        services.AddSingleton(provider => new ApiKeyAuthorization(provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value.ApiKey));
        services.AddSingleton(_ => StorageAccount.FromConfiguration(configuration));
        services.AddSingleton(CreateModelHost);
        services.AddHostedService<ModelLoadOnStart>();
        services.AddSingleton<OwnStorageImages>();
        services.AddSingleton<IImageReferenceResolver>(provider => provider.GetRequiredService<OwnStorageImages>());
        services.AddSingleton<CaptionService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<JobSubmission>();
        return services;
    }

    /// <summary>
    /// Binds the app's settings with the options pattern, each validated when the host starts
    /// (<c>ValidateOnStart</c>): a misconfigured app fails to start with every problem listed, instead of failing on
    /// its first message. <see cref="LlavaAppOptions"/> from the <c>LLAVA_*</c> settings plus host.json's retry counts;
    /// <see cref="LlavaEngineOptions"/> derived from those settings; <see cref="ApiKeyOptions"/> (the secret
    /// <c>LLAVA_API_KEY</c>, apart); <see cref="HttpApiOptions"/> from the
    /// <c>HttpApi</c> section (<c>HttpApi__MaxRequestBodyBytes</c> as an app setting).
    /// </summary>
    public static IServiceCollection AddLlavaSettings(this IServiceCollection services, IConfiguration configuration, string hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlavaAppOptions>().Configure(options => WithoutEmptyValues(configuration).Bind(options)).ValidateOnStart();
        // Runs after the binding (configure steps run in registration order): the retry counts are host.json's.
        services.AddSingleton<IConfigureOptions<LlavaAppOptions>>(new HostRetrySettings(configuration, hostJsonPath));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlavaAppOptions>, LlavaAppOptionsValidator>());
        // The services take the validated settings themselves: they never change while a worker runs (the host
        // restarts the worker when app settings change).
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<LlavaAppOptions>>().Value);
        services.TryAddSingleton<IOptions<LlavaEngineOptions>>(provider => Options.Create(provider.GetRequiredService<LlavaAppOptions>().ToEngineOptions()));
        services.AddOptions<ApiKeyOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>());
        // HTTP callers wait briefly for a loading model (then 503 + Retry-After); triggers wait longer.
        services.AddLlavaHttpApi().Bind(configuration.GetSection(HttpApiOptions.SectionName));
        return services;
    }

    /// <summary>
    /// An empty <c>LLAVA_*</c> setting means "not set" and keeps its default, as it always has (a value blanked in the
    /// portal or in local.settings.json); the binder alone would take "" as the value, and fail on it for a number.
    /// </summary>
    private static IConfiguration WithoutEmptyValues(IConfiguration configuration) =>
        new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable().Where(setting => !string.IsNullOrEmpty(setting.Value))).Build();

    private static ModelHost CreateModelHost(IServiceProvider provider)
    {
        LlavaAppOptions options = provider.GetRequiredService<LlavaAppOptions>();
        LlavaEngineOptions engine = provider.GetRequiredService<IOptions<LlavaEngineOptions>>().Value;
        ILoggerFactory loggers = provider.GetRequiredService<ILoggerFactory>();
        if (string.IsNullOrEmpty(options.ModelContainer))
        {
            return ModelHost.ForLocalFolder(engine, loggers);
        }

        StorageAccount storage = provider.GetRequiredService<StorageAccount>();
        BlobModelSource source = new(storage.Blobs.GetBlobContainerClient(options.ModelContainer), options.ModelPrefix, options.ModelPath, loggers.CreateLogger<BlobModelSource>());
        return new ModelHost(engine, (IProgress<ModelLoadProgress> progress, CancellationToken cancellationToken) => source.AcquireAsync(progress, cancellationToken), loggers);
    }
}
