using Llava.Inference;
using Llava.Inference.Loading;
using Microsoft.Extensions.Configuration;

namespace LlavaFunctions.Configuration;

/// <summary>
/// Every <c>LLAVA_*</c> setting the app reads, bound from configuration (app settings / environment) with the options
/// pattern and validated at start-up (<see cref="LlavaAppOptionsValidator"/>). The defaults are the ones the
/// infrastructure also uses.
/// </summary>
/// <remarks>
/// The published names are flat UPPER_SNAKE app settings (the same <c>LLAVA_MODEL_PATH</c> the CLI reads; trigger
/// attributes refer to them as <c>%LLAVA_JOBS_QUEUE%</c>; Azure passes them to the worker as environment variables
/// unchanged), so there is no section to bind: each property names its setting with
/// <see cref="ConfigurationKeyNameAttribute"/> and the options bind from the configuration root. The attribute is the
/// one place a setting's name is written (<see cref="Keys"/> holds the same constants for messages and tests).
/// Every publicly settable property is a setting; the rest is derived or set by the app.
/// </remarks>
public sealed record LlavaAppOptions
{
    /// <summary>Local folder of the converted model; the download target when a blob source is set.</summary>
    [ConfigurationKeyName(Keys.ModelPath)]
    public string ModelPath { get; set; } = "";

    /// <summary>Container holding converted model folders; empty to use <see cref="ModelPath"/> as it is.</summary>
    [ConfigurationKeyName(Keys.ModelContainer)]
    public string ModelContainer { get; set; } = "";

    /// <summary>Folder (blob prefix) of the model inside <see cref="ModelContainer"/>.</summary>
    [ConfigurationKeyName(Keys.ModelPrefix)]
    public string ModelPrefix { get; set; } = "";

    [ConfigurationKeyName(Keys.ExecutionProvider)]
    public string ExecutionProvider { get; set; } = "cpu";

    [ConfigurationKeyName(Keys.MaxConcurrentGenerations)]
    public int MaxConcurrentGenerations { get; set; } = 1;

    [ConfigurationKeyName(Keys.MaxQueuedRequests)]
    public int MaxQueuedRequests { get; set; } = 8;

    /// <summary>Requests one generator answers together; empty for the provider's default (8), 1 turns batching off.</summary>
    [ConfigurationKeyName(Keys.MaxBatchSize)]
    public int? MaxBatchSize { get; set; }

    /// <summary>
    /// How long a ready request waits for others to join its batch, in milliseconds; empty for the engine's default
    /// (100). A request that comes alone waits all of it, so 0 suits HTTP traffic that rarely arrives together.
    /// </summary>
    [ConfigurationKeyName(Keys.BatchWindowMs)]
    public int? BatchWindowMs { get; set; }

    /// <summary>Memory all requests together may use besides the weights, in MiB; empty for the provider's default.</summary>
    [ConfigurationKeyName(Keys.MemoryBudgetMib)]
    public long? MemoryBudgetMib { get; set; }

    /// <summary>How long a function waits for the model to finish loading before failing in a retryable way, in seconds.</summary>
    [ConfigurationKeyName(Keys.ReadinessTimeoutSeconds)]
    public double ReadinessTimeoutSeconds { get; set; } = 120;

    [ConfigurationKeyName(Keys.ImagesContainer)]
    public string ImagesContainer { get; set; } = "images";

    /// <summary>
    /// Further containers whose blobs jobs and HTTP requests may reference as images (besides
    /// <see cref="ImagesContainer"/>), comma-separated as the setting is written. Nothing else in the account can be
    /// named: in Azure it also holds the host's secrets and state.
    /// </summary>
    [ConfigurationKeyName(Keys.ImageContainers)]
    public string ImageContainers { get; set; } = "";

    [ConfigurationKeyName(Keys.CaptionsContainer)]
    public string CaptionsContainer { get; set; } = "captions";

    [ConfigurationKeyName(Keys.AnswersContainer)]
    public string AnswersContainer { get; set; } = "answers";

    [ConfigurationKeyName(Keys.JobsQueue)]
    public string JobsQueue { get; set; } = "vqa-jobs";

    /// <summary>The question asked of every uploaded image.</summary>
    [ConfigurationKeyName(Keys.CaptionPrompt)]
    public string CaptionPrompt { get; set; } = "Describe this image in one sentence.";

    [ConfigurationKeyName(Keys.CaptionMaxTokens)]
    public int CaptionMaxTokens { get; set; } = 96;

    /// <summary>Largest image accepted from storage or HTTP.</summary>
    [ConfigurationKeyName(Keys.MaxImageBytes)]
    public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>
    /// Delivery attempts before a job message goes to the poison queue: host.json's <c>queues.maxDequeueCount</c>,
    /// set by <see cref="HostRetrySettings"/>, never a setting of the app (not publicly settable, so not bound).
    /// </summary>
    public int MaxDequeueCount { get; internal set; } = HostRetrySettings.FunctionsDefault;

    /// <summary>Delivery attempts before an upload event goes to the poison container: host.json's <c>blobs.poisonBlobThreshold</c>.</summary>
    public int PoisonBlobThreshold { get; internal set; } = HostRetrySettings.FunctionsDefault;

    public TimeSpan ReadinessTimeout => TimeSpan.FromSeconds(ReadinessTimeoutSeconds);

    /// <summary>The names listed by <see cref="ImageContainers"/>.</summary>
    public IReadOnlyList<string> ExtraImageContainers => ImageContainers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every container an image reference may name: the images container first, then <see cref="ImageContainers"/>.</summary>
    public IReadOnlyList<string> AllowedImageContainers => [.. new[] { ImagesContainer }.Concat(ExtraImageContainers).Distinct(StringComparer.Ordinal)];

    /// <summary>The setting names, as published (local.settings.sample.json, infra/app/llava.bicep, docs/functions.md).</summary>
    public static class Keys
    {
        public const string ModelPath = "LLAVA_MODEL_PATH";
        public const string ModelContainer = "LLAVA_MODEL_CONTAINER";
        public const string ModelPrefix = "LLAVA_MODEL_PREFIX";
        public const string ExecutionProvider = "LLAVA_EXECUTION_PROVIDER";
        public const string MaxConcurrentGenerations = "LLAVA_MAX_CONCURRENT_GENERATIONS";
        public const string MaxQueuedRequests = "LLAVA_MAX_QUEUED_REQUESTS";
        public const string MaxBatchSize = "LLAVA_MAX_BATCH_SIZE";
        public const string BatchWindowMs = "LLAVA_BATCH_WINDOW_MS";
        public const string MemoryBudgetMib = "LLAVA_MEMORY_BUDGET_MIB";
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

    /// <summary>
    /// The engine's settings, derived from these: each engine value the app sets is one of the <c>LLAVA_*</c> settings
    /// above, so the engine's record is not bound a second time under other names.
    /// </summary>
    public LlavaEngineOptions ToEngineOptions() => ApplyBatchWindow(new()
    {
        ModelPath = ModelPath,
        ExecutionProvider = ExecutionProvider,
        MaxConcurrentGenerations = MaxConcurrentGenerations,
        MaxQueuedRequests = MaxQueuedRequests,
        MaxBatchSize = MaxBatchSize,
        MemoryBudgetBytes = MemoryBudgetMib * 1024 * 1024,
        MaxImageBytes = MaxImageBytes,
        // A downloaded folder was checked file by file against the manifest while it was written.
        Verification = string.IsNullOrEmpty(ModelContainer) ? ChecksumVerification.Full : ChecksumVerification.SizeOnly,
    });

    /// <summary>The engine's options with <see cref="BatchWindowMs"/> applied when it is set (else the engine's default).</summary>
    internal LlavaEngineOptions ApplyBatchWindow(LlavaEngineOptions engine) =>
        BatchWindowMs is { } ms ? engine with { BatchWindow = TimeSpan.FromMilliseconds(ms) } : engine;
}
