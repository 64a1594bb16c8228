using Llava.Inference;
using Microsoft.Extensions.Options;
using Keys = LlavaFunctions.Configuration.LlavaAppOptions.Keys;

namespace LlavaFunctions.Configuration;

/// <summary>
/// Checks <see cref="LlavaAppOptions"/> at start-up (<c>ValidateOnStart</c>): every problem at once, each naming its
/// setting, so a misconfigured app stops before its first message with the whole list instead of one problem per
/// deployment.
/// </summary>
public sealed class LlavaAppOptionsValidator : IValidateOptions<LlavaAppOptions>
{
    /// <summary>The Functions host's own containers (<c>azure-webjobs-secrets</c>, <c>azure-webjobs-hosts</c>) start so.</summary>
    private const string HostContainerPrefix = "azure-webjobs-";

    public ValidateOptionsResult Validate(string? name, LlavaAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = Problems(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Problems that would make the app misbehave later; empty when the settings are usable.</summary>
    public static IReadOnlyList<string> Problems(LlavaAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = [.. EngineProblems(options)];
        if (!string.IsNullOrEmpty(options.ModelContainer) && string.IsNullOrWhiteSpace(options.ModelPrefix))
        {
            errors.Add($"{Keys.ModelPrefix} is required with {Keys.ModelContainer}: the model's folder inside the container.");
        }

        foreach ((string key, string value) in new[] { (Keys.ImagesContainer, options.ImagesContainer), (Keys.CaptionsContainer, options.CaptionsContainer), (Keys.AnswersContainer, options.AnswersContainer), (Keys.JobsQueue, options.JobsQueue) })
        {
            if (!IsValidName(value))
            {
                errors.Add($"{key} '{value}' is not a valid container or queue name (3-63 lower-case letters, digits and hyphens).");
            }
        }

        if (options.ImagesContainer.StartsWith(HostContainerPrefix, StringComparison.Ordinal))
        {
            errors.Add($"{Keys.ImagesContainer} '{options.ImagesContainer}' is one of the Functions host's containers, which hold its keys and state.");
        }

        foreach (string container in options.ExtraImageContainers)
        {
            if (!IsValidName(container))
            {
                errors.Add($"{Keys.ImageContainers}: '{container}' is not a valid container name (3-63 lower-case letters, digits and hyphens).");
            }
            else if (container.StartsWith(HostContainerPrefix, StringComparison.Ordinal) || container == options.ModelContainer || container == options.CaptionsContainer || container == options.AnswersContainer)
            {
                // The host's secrets and state, the model's weights and the app's own documents are never images.
                errors.Add($"{Keys.ImageContainers}: '{container}' cannot hold images for jobs (it is the host's, the model's or the app's own documents' container).");
            }
        }

        if (!double.IsFinite(options.ReadinessTimeoutSeconds) || options.ReadinessTimeoutSeconds <= 0 || options.ReadinessTimeoutSeconds > TimeSpan.MaxValue.TotalSeconds)
        {
            errors.Add($"{Keys.ReadinessTimeoutSeconds} must be a positive number of seconds; got {options.ReadinessTimeoutSeconds}.");
        }

        if (options.CaptionMaxTokens < 1)
        {
            errors.Add($"{Keys.CaptionMaxTokens} must be at least 1; got {options.CaptionMaxTokens}.");
        }

        if (options.MaxDequeueCount < 1 || options.PoisonBlobThreshold < 1)
        {
            errors.Add($"host.json's queues.maxDequeueCount and blobs.poisonBlobThreshold must be positive; got {options.MaxDequeueCount} and {options.PoisonBlobThreshold}.");
        }

        return errors;
    }

    /// <summary>
    /// The engine's own rules (<see cref="LlavaEngineOptions.Validate"/>, defined once, there), each run on the one
    /// setting that feeds it with every other engine value valid, so that each problem is reported under its setting's name.
    /// </summary>
    private static IEnumerable<string> EngineProblems(LlavaAppOptions options)
    {
        LlavaEngineOptions valid = new() { ModelPath = "model" };
        (string Key, LlavaEngineOptions Probe)[] probes =
        [
            (Keys.ModelPath, valid with { ModelPath = options.ModelPath }),
            (Keys.ExecutionProvider, valid with { ExecutionProvider = options.ExecutionProvider }),
            (Keys.MaxConcurrentGenerations, valid with { MaxConcurrentGenerations = options.MaxConcurrentGenerations }),
            (Keys.MaxQueuedRequests, valid with { MaxQueuedRequests = options.MaxQueuedRequests }),
            (Keys.MaxBatchSize, valid with { MaxBatchSize = options.MaxBatchSize }),
            (Keys.BatchWindowMs, options.ApplyBatchWindow(valid)),
            (Keys.MemoryBudgetMib, valid with { MemoryBudgetBytes = options.MemoryBudgetMib * 1024 * 1024 }),
            (Keys.MaxImageBytes, valid with { MaxImageBytes = options.MaxImageBytes }),
        ];
        return probes.SelectMany(probe => probe.Probe.Validate().Select(problem => $"{probe.Key}: {problem}"));
    }

    private static bool IsValidName(string name) =>
        name.Length is >= 3 and <= 63 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
