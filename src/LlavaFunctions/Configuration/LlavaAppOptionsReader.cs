using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LlavaFunctions.Configuration;

/// <summary>Reads <see cref="LlavaAppOptions"/> from configuration (app settings / environment) by their flat names.</summary>
public static class LlavaAppOptionsReader
{
    public static LlavaAppOptions Read(IConfiguration configuration) => Read(configuration, HostRetrySettings.DefaultHostJsonPath);

    /// <param name="configuration">App settings.</param>
    /// <param name="hostJsonPath">The host.json whose retry counts the app follows.</param>
    public static LlavaAppOptions Read(IConfiguration configuration, string hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        (int maxDequeueCount, int poisonBlobThreshold) = HostRetrySettings.Read(configuration, hostJsonPath);
        LlavaAppOptions defaults = new();
        string Text(string key, string fallback) => configuration[key] is { Length: > 0 } value ? value : fallback;
        int Number(string key, int fallback) => configuration[key] is { Length: > 0 } value
            ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) ? parsed : throw new InvalidOperationException($"{key} must be an integer; got '{value}'.")
            : fallback;
        return new LlavaAppOptions
        {
            ModelPath = Text(LlavaAppOptions.Keys.ModelPath, defaults.ModelPath),
            ModelContainer = Text(LlavaAppOptions.Keys.ModelContainer, defaults.ModelContainer),
            ModelPrefix = Text(LlavaAppOptions.Keys.ModelPrefix, defaults.ModelPrefix),
            ExecutionProvider = Text(LlavaAppOptions.Keys.ExecutionProvider, defaults.ExecutionProvider),
            MaxConcurrentGenerations = Number(LlavaAppOptions.Keys.MaxConcurrentGenerations, defaults.MaxConcurrentGenerations),
            MaxQueuedRequests = Number(LlavaAppOptions.Keys.MaxQueuedRequests, defaults.MaxQueuedRequests),
            ReadinessTimeout = TimeSpan.FromSeconds(Number(LlavaAppOptions.Keys.ReadinessTimeoutSeconds, (int)defaults.ReadinessTimeout.TotalSeconds)),
            ImagesContainer = Text(LlavaAppOptions.Keys.ImagesContainer, defaults.ImagesContainer),
            ImageContainers = [.. Text(LlavaAppOptions.Keys.ImageContainers, "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            CaptionsContainer = Text(LlavaAppOptions.Keys.CaptionsContainer, defaults.CaptionsContainer),
            AnswersContainer = Text(LlavaAppOptions.Keys.AnswersContainer, defaults.AnswersContainer),
            JobsQueue = Text(LlavaAppOptions.Keys.JobsQueue, defaults.JobsQueue),
            CaptionPrompt = Text(LlavaAppOptions.Keys.CaptionPrompt, defaults.CaptionPrompt),
            CaptionMaxTokens = Number(LlavaAppOptions.Keys.CaptionMaxTokens, defaults.CaptionMaxTokens),
            MaxImageBytes = Number(LlavaAppOptions.Keys.MaxImageBytes, (int)Math.Min(int.MaxValue, defaults.MaxImageBytes)),
            MaxDequeueCount = maxDequeueCount,
            PoisonBlobThreshold = poisonBlobThreshold,
        };
    }
}
