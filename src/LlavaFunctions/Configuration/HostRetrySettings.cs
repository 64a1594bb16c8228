using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Configuration;

/// <summary>
/// How many times the Functions host delivers a job message (<c>queues.maxDequeueCount</c>) or an upload event
/// (<c>blobs.poisonBlobThreshold</c>) before it gives up, read from where the host reads them: an app setting
/// <c>AzureFunctionsJobHost__extensions__…</c> overrides <c>host.json</c>, which overrides the host's default.
/// host.json stays the one source of truth; the app only needs the numbers to write its record on the last try.
/// Registered as a configure step of <see cref="LlavaAppOptions"/>, after the app settings are bound.
/// </summary>
/// <param name="configuration">App settings (for the host's <c>AzureFunctionsJobHost__…</c> overrides).</param>
/// <param name="hostJsonPath">The host.json whose retry counts the app follows.</param>
public sealed class HostRetrySettings(IConfiguration configuration, string hostJsonPath) : IConfigureOptions<LlavaAppOptions>
{
    /// <summary>The host's default for both settings.</summary>
    public const int FunctionsDefault = 5;

    public const string MaxDequeueCountPath = "extensions:queues:maxDequeueCount";
    public const string PoisonBlobThresholdPath = "extensions:blobs:poisonBlobThreshold";

    /// <summary>The section of the app settings that overrides host.json, as the host reads it.</summary>
    public const string HostOverrideSection = "AzureFunctionsJobHost";

    /// <summary>The worker's own copy of host.json (the build copies it next to the assembly).</summary>
    public static string DefaultHostJsonPath => Path.Combine(AppContext.BaseDirectory, "host.json");

    public void Configure(LlavaAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // host.json with the app settings' overrides layered over it, as the host layers them (names case-insensitive).
        IConfigurationRoot host = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(hostJsonPath), optional: true)
            .AddConfiguration(configuration.GetSection(HostOverrideSection))
            .Build();
        using (host as IDisposable)
        {
            options.MaxDequeueCount = host.GetValue(MaxDequeueCountPath, FunctionsDefault);
            options.PoisonBlobThreshold = host.GetValue(PoisonBlobThresholdPath, FunctionsDefault);
        }
    }
}
