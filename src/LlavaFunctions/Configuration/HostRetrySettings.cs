using System.Globalization;
using System.Text.Json;
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
    private const string HostOverridePrefix = "AzureFunctionsJobHost:";

    /// <summary>The worker's own copy of host.json (the build copies it next to the assembly).</summary>
    public static string DefaultHostJsonPath => Path.Combine(AppContext.BaseDirectory, "host.json");

    public void Configure(LlavaAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.MaxDequeueCount, options.PoisonBlobThreshold) = Read(configuration, hostJsonPath);
    }

    public static (int MaxDequeueCount, int PoisonBlobThreshold) Read(IConfiguration configuration, string hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        JsonElement? hostJson = null;
        if (File.Exists(hostJsonPath))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            hostJson = document.RootElement.Clone();
        }

        return (Setting(configuration, hostJson, MaxDequeueCountPath), Setting(configuration, hostJson, PoisonBlobThresholdPath));
    }

    private static int Setting(IConfiguration configuration, JsonElement? hostJson, string path)
    {
        if (configuration[HostOverridePrefix + path] is { Length: > 0 } overridden)
        {
            return int.TryParse(overridden, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new InvalidOperationException($"AzureFunctionsJobHost__{path.Replace(":", "__", StringComparison.Ordinal)} must be an integer; got '{overridden}'.");
        }

        JsonElement? node = hostJson;
        foreach (string name in path.Split(':'))
        {
            node = node is { ValueKind: JsonValueKind.Object } obj && TryGetPropertyIgnoreCase(obj, name, out JsonElement child) ? child : null;
        }

        return node is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out int fromFile) ? fromFile : FunctionsDefault;
    }

    // The host reads host.json case-insensitively.
    private static bool TryGetPropertyIgnoreCase(JsonElement obj, string name, out JsonElement value)
    {
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
