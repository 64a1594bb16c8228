using Llava.Inference.Loading;
using Llava.Serving.Hosting;
using Llava.Serving.Http;
using LlavaFunctions.Captioning;
using LlavaFunctions.Http;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Configuration;

/// <summary>Everything the app registers, in one place.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the app's services. Settings are read and validated here, at start-up: a misconfigured app
    /// fails to start with every problem listed, instead of failing on its first message.
    /// </summary>
    public static IServiceCollection AddLlavaFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        LlavaAppOptions options = LlavaAppOptionsReader.Read(configuration);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid LlavaFunctions settings: " + string.Join(" ", problems));
        }

        services.AddSingleton(options);
        services.AddSingleton(ApiKeyAuthorization.FromConfiguration(configuration));
        services.AddSingleton(_ => StorageAccount.FromConfiguration(configuration));
        services.AddSingleton(provider => CreateModelHost(provider, options));
        services.AddHostedService<ModelHostStarter>();
        services.AddSingleton<OwnStorageImages>();
        services.AddSingleton<IImageReferenceResolver>(provider => provider.GetRequiredService<OwnStorageImages>());
        // HTTP callers wait briefly for a loading model (then 503 + Retry-After); triggers wait longer.
        services.AddLlavaHttpApi();
        services.AddSingleton<CaptionService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<JobSubmission>();
        return services;
    }

    private static ModelHost CreateModelHost(IServiceProvider provider, LlavaAppOptions options)
    {
        ILoggerFactory loggers = provider.GetRequiredService<ILoggerFactory>();
        if (string.IsNullOrEmpty(options.ModelContainer))
        {
            return ModelHost.ForLocalFolder(options.ToEngineOptions(), loggers);
        }

        StorageAccount storage = provider.GetRequiredService<StorageAccount>();
        BlobModelSource source = new(storage.Blobs.GetBlobContainerClient(options.ModelContainer), options.ModelPrefix, options.ModelPath, loggers.CreateLogger<BlobModelSource>());
        return new ModelHost(options.ToEngineOptions(), (IProgress<ModelLoadProgress> progress, CancellationToken cancellationToken) => source.AcquireAsync(progress, cancellationToken), loggers);
    }
}
