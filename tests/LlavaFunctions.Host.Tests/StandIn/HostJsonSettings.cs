using Microsoft.Extensions.Configuration;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// host.json as the Functions host reads it: the published file, overridden by app settings named
/// <c>AzureFunctionsJobHost__path__to__setting</c> (the host's documented override), then handed to the WebJobs
/// extensions under <c>AzureWebJobs:extensions</c>, where they bind their QueuesOptions and BlobsOptions.
/// </summary>
internal static class HostJsonSettings
{
    public const string OverridePrefix = "AzureFunctionsJobHost__";

    public static IConfiguration Load(string appDirectory, IReadOnlyDictionary<string, string> appSettings)
    {
        Dictionary<string, string?> overrides = appSettings
            .Where(s => s.Key.StartsWith(OverridePrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(s => s.Key[OverridePrefix.Length..].Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value, StringComparer.OrdinalIgnoreCase);
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(appDirectory, "host.json"), optional: false)
            .AddInMemoryCollection(overrides)
            .Build();
    }

    /// <summary>The <c>extensions</c> section as WebJobs configuration keys.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ForWebJobs(IConfiguration hostJson) =>
        hostJson.GetSection("extensions").AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .Select(pair => new KeyValuePair<string, string?>("AzureWebJobs:extensions:" + pair.Key, pair.Value));

    public static TimeSpan? FunctionTimeout(IConfiguration hostJson) =>
        hostJson["functionTimeout"] is { Length: > 0 } value ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The HTTP route prefix; the host's default is <c>api</c>.</summary>
    public static string RoutePrefix(IConfiguration hostJson) => hostJson.GetSection("extensions:http:routePrefix").Value ?? "api";
}
