using Llava.Inference;
using Llava.Inference.Loading;

namespace LlavaFunctions.Configuration;

/// <summary>
/// Every setting the app reads, in one place, with the defaults the infrastructure also uses. Flat
/// UPPER_SNAKE names (the same <c>LLAVA_MODEL_PATH</c> the CLI reads) so that trigger attributes can refer to
/// them as <c>%LLAVA_IMAGES_CONTAINER%</c>. Validated at start-up.
/// </summary>
public sealed record LlavaAppOptions
{
    /// <summary>Local folder of the converted model; the download target when a blob source is set.</summary>
    public string ModelPath { get; init; } = "";

    /// <summary>Container holding converted model folders; empty to use <see cref="ModelPath"/> as it is.</summary>
    public string ModelContainer { get; init; } = "";

    /// <summary>Folder (blob prefix) of the model inside <see cref="ModelContainer"/>.</summary>
    public string ModelPrefix { get; init; } = "";

    public string ExecutionProvider { get; init; } = "cpu";

    public int MaxConcurrentGenerations { get; init; } = 1;

    public int MaxQueuedRequests { get; init; } = 8;

    /// <summary>How long a function waits for the model to finish loading before failing in a retryable way.</summary>
    public TimeSpan ReadinessTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public string ImagesContainer { get; init; } = "images";

    /// <summary>
    /// Further containers whose blobs jobs and HTTP requests may reference as images (besides
    /// <see cref="ImagesContainer"/>). Nothing else in the account can be named: in Azure it also holds the host's
    /// secrets and state.
    /// </summary>
    public IReadOnlyList<string> ImageContainers { get; init; } = [];

    public string CaptionsContainer { get; init; } = "captions";

    public string AnswersContainer { get; init; } = "answers";

    public string JobsQueue { get; init; } = "vqa-jobs";

    /// <summary>The question asked of every uploaded image.</summary>
    public string CaptionPrompt { get; init; } = "Describe this image in one sentence.";

    public int CaptionMaxTokens { get; init; } = 96;

    /// <summary>Largest image accepted from storage or HTTP.</summary>
    public long MaxImageBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Delivery attempts before a job message goes to the poison queue: host.json's <c>queues.maxDequeueCount</c>, read by <see cref="HostRetrySettings"/>.</summary>
    public int MaxDequeueCount { get; init; } = HostRetrySettings.FunctionsDefault;

    /// <summary>Delivery attempts before an upload event goes to the poison container: host.json's <c>blobs.poisonBlobThreshold</c>.</summary>
    public int PoisonBlobThreshold { get; init; } = HostRetrySettings.FunctionsDefault;

    /// <summary>Every container an image reference may name: the images container first, then <see cref="ImageContainers"/>.</summary>
    public IReadOnlyList<string> AllowedImageContainers => [.. new[] { ImagesContainer }.Concat(ImageContainers).Distinct(StringComparer.Ordinal)];

    /// <summary>The Functions host's own containers (<c>azure-webjobs-secrets</c>, <c>azure-webjobs-hosts</c>) start so.</summary>
    private const string HostContainerPrefix = "azure-webjobs-";

    public static class Keys
    {
        public const string ModelPath = "LLAVA_MODEL_PATH";
        public const string ModelContainer = "LLAVA_MODEL_CONTAINER";
        public const string ModelPrefix = "LLAVA_MODEL_PREFIX";
        public const string ExecutionProvider = "LLAVA_EXECUTION_PROVIDER";
        public const string MaxConcurrentGenerations = "LLAVA_MAX_CONCURRENT_GENERATIONS";
        public const string MaxQueuedRequests = "LLAVA_MAX_QUEUED_REQUESTS";
        public const string ReadinessTimeoutSeconds = "LLAVA_READINESS_TIMEOUT_SECONDS";
        public const string ImagesContainer = "LLAVA_IMAGES_CONTAINER";
        public const string ImageContainers = "LLAVA_IMAGE_CONTAINERS";
        public const string CaptionsContainer = "LLAVA_CAPTIONS_CONTAINER";
        public const string AnswersContainer = "LLAVA_ANSWERS_CONTAINER";
        public const string JobsQueue = "LLAVA_JOBS_QUEUE";
        public const string CaptionPrompt = "LLAVA_CAPTION_PROMPT";
        public const string CaptionMaxTokens = "LLAVA_CAPTION_MAX_TOKENS";
        public const string MaxImageBytes = "LLAVA_MAX_IMAGE_BYTES";
    }

    public LlavaEngineOptions ToEngineOptions() => new()
    {
        ModelPath = ModelPath,
        ExecutionProvider = ExecutionProvider,
        MaxConcurrentGenerations = MaxConcurrentGenerations,
        MaxQueuedRequests = MaxQueuedRequests,
        MaxImageBytes = MaxImageBytes,
        // A downloaded folder was checked file by file against the manifest while it was written.
        Verification = string.IsNullOrEmpty(ModelContainer) ? ChecksumVerification.Full : ChecksumVerification.SizeOnly,
    };

    /// <summary>Problems that would make the app misbehave later; empty when the settings are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            errors.Add($"{Keys.ModelPath} is required: the local folder of the converted model (or the download target with {Keys.ModelContainer}).");
        }

        if (!string.IsNullOrEmpty(ModelContainer) && string.IsNullOrWhiteSpace(ModelPrefix))
        {
            errors.Add($"{Keys.ModelPrefix} is required with {Keys.ModelContainer}: the model's folder inside the container.");
        }

        // The engine checks its own settings too; ModelPath was reported above under its app-setting name.
        errors.AddRange(ToEngineOptions().Validate().Where(e => !e.StartsWith("ModelPath", StringComparison.Ordinal)));
        foreach ((string key, string name) in new[] { (Keys.ImagesContainer, ImagesContainer), (Keys.CaptionsContainer, CaptionsContainer), (Keys.AnswersContainer, AnswersContainer), (Keys.JobsQueue, JobsQueue) })
        {
            if (!IsValidName(name))
            {
                errors.Add($"{key} '{name}' is not a valid container or queue name (3-63 lower-case letters, digits and hyphens).");
            }
        }

        if (ImagesContainer.StartsWith(HostContainerPrefix, StringComparison.Ordinal))
        {
            errors.Add($"{Keys.ImagesContainer} '{ImagesContainer}' is one of the Functions host's containers, which hold its keys and state.");
        }

        foreach (string name in ImageContainers)
        {
            if (!IsValidName(name))
            {
                errors.Add($"{Keys.ImageContainers}: '{name}' is not a valid container name (3-63 lower-case letters, digits and hyphens).");
            }
            else if (name.StartsWith(HostContainerPrefix, StringComparison.Ordinal) || name == ModelContainer || name == CaptionsContainer || name == AnswersContainer)
            {
                // The host's secrets and state, the model's weights and the app's own documents are never images.
                errors.Add($"{Keys.ImageContainers}: '{name}' cannot hold images for jobs (it is the host's, the model's or the app's own documents' container).");
            }
        }

        if (ReadinessTimeout <= TimeSpan.Zero || CaptionMaxTokens < 1 || MaxDequeueCount < 1 || PoisonBlobThreshold < 1)
        {
            errors.Add("Readiness timeout, caption max tokens, max dequeue count and poison blob threshold must be positive.");
        }

        return errors;
    }

    private static bool IsValidName(string name) =>
        name.Length is >= 3 and <= 63 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
