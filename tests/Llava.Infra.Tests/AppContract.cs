namespace Llava.Infra.Tests;

/// <summary>What the Functions app expects of its environment (the settings it reads, the storage it uses).</summary>
internal static class AppContract
{
    public const string ImagesContainer = "images";
    public const string CaptionsContainer = "captions";
    public const string AnswersContainer = "answers";
    public const string ModelsContainer = "models";
    public const string JobsQueue = "vqa-jobs";
    public const string JobsPoisonQueue = "vqa-jobs-poison";
    public const string DeadLetterContainer = "eventgrid-deadletter";

    /// <summary>The one setting that is a secret reference: the bearer key of the OpenAI-compatible routes.</summary>
    public const string ApiKeySetting = "LLAVA_API_KEY";

    public static readonly string[] Containers = [ImagesContainer, CaptionsContainer, AnswersContainer, ModelsContainer, DeadLetterContainer];

    public static readonly string[] Queues = [JobsQueue, JobsPoisonQueue];

    /// <summary>Every setting the app reads, by its flat name.</summary>
    public static readonly string[] Settings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "FUNCTIONS_WORKER_RUNTIME",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "AZURE_CLIENT_ID",
        "LLAVA_MODEL_PATH",
        "LLAVA_MODEL_CONTAINER",
        "LLAVA_MODEL_PREFIX",
        "LLAVA_EXECUTION_PROVIDER",
        "LLAVA_MAX_CONCURRENT_GENERATIONS",
        "LLAVA_MAX_QUEUED_REQUESTS",
        "LLAVA_READINESS_TIMEOUT_SECONDS",
        "LLAVA_IMAGES_CONTAINER",
        "LLAVA_CAPTIONS_CONTAINER",
        "LLAVA_ANSWERS_CONTAINER",
        "LLAVA_JOBS_QUEUE",
        ApiKeySetting,
    ];

    /// <summary>Settings naming a blob container, and the container each must name.</summary>
    public static readonly IReadOnlyDictionary<string, string> ContainerSettings = new Dictionary<string, string>
    {
        ["LLAVA_IMAGES_CONTAINER"] = ImagesContainer,
        ["LLAVA_CAPTIONS_CONTAINER"] = CaptionsContainer,
        ["LLAVA_ANSWERS_CONTAINER"] = AnswersContainer,
        ["LLAVA_MODEL_CONTAINER"] = ModelsContainer,
    };

    /// <summary>Built-in role definition ids.</summary>
    public static class Roles
    {
        public const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
        public const string StorageAccountContributor = "17d1049b-9a84-46fb-8f53-869881c3d3ab";
        public const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";
        public const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        public const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
        public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    }
}
