using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Llava.Testing.Models;
using Llava.Testing.Storage;
using LlavaFunctions.Host.Tests.StandIn;

namespace LlavaFunctions.Host.Tests;

/// <summary>
/// The published app running behind the host stand-in over its own Azurite sandbox (images, captions and answers
/// containers, jobs queue) and a tiny model, with host.json's queue timings shortened through the host's own
/// <c>AzureFunctionsJobHost__</c> overrides so retries take seconds, not minutes.
/// </summary>
public sealed class StandInApp : IAsyncDisposable
{
    public const string ApiKey = "test-key-0123456789abcdef0123456789";

    private StandInApp(StorageSandbox sandbox, FunctionsHostStandIn host, BlobContainerClient images, BlobContainerClient captions, BlobContainerClient answers, QueueClient jobs)
    {
        Sandbox = sandbox;
        Host = host;
        Images = images;
        Captions = captions;
        Answers = answers;
        Jobs = jobs;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public StorageSandbox Sandbox { get; }

    public FunctionsHostStandIn Host { get; }

    public HttpClient Http { get; }

    public BlobContainerClient Images { get; }

    public BlobContainerClient Captions { get; }

    public BlobContainerClient Answers { get; }

    /// <summary>The jobs queue, base64 like the trigger expects.</summary>
    public QueueClient Jobs { get; }

    public QueueClient JobsPoison => Sandbox.QueueService.GetQueueClient(Jobs.Name + "-poison");

    /// <summary>The published worker, built and published with the tests (see the project file).</summary>
    public static string WorkerDirectory => Path.Combine(AppContext.BaseDirectory, "worker");

    public static string ModelPath => TinyModels.Model("llava-1.5");

    /// <param name="settings">Changes to the default settings (a broken model path, other timings).</param>
    public static async Task<StandInApp> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        StorageSandbox sandbox = new();
        await sandbox.InitializeAsync();
        BlobContainerClient images = await sandbox.CreateContainerAsync("images");
        BlobContainerClient captions = await sandbox.CreateContainerAsync("captions");
        BlobContainerClient answers = await sandbox.CreateContainerAsync("answers");
        QueueClient created = await sandbox.CreateQueueAsync("jobs");
        QueueClient jobs = new(sandbox.ConnectionString, created.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Dictionary<string, string> appSettings = new(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = sandbox.ConnectionString,
            ["LLAVA_MODEL_PATH"] = ModelPath,
            ["LLAVA_IMAGES_CONTAINER"] = images.Name,
            ["LLAVA_CAPTIONS_CONTAINER"] = captions.Name,
            ["LLAVA_ANSWERS_CONTAINER"] = answers.Name,
            ["LLAVA_JOBS_QUEUE"] = jobs.Name,
            ["LLAVA_CAPTION_MAX_TOKENS"] = "8",
            ["LLAVA_READINESS_TIMEOUT_SECONDS"] = "60",
            ["LLAVA_API_KEY"] = ApiKey,
            // host.json keeps its production values; these override them the way an app setting would.
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
        };
        foreach ((string name, string value) in settings ?? new Dictionary<string, string>())
        {
            appSettings[name] = value;
        }

        try
        {
            FunctionsHostStandIn host = await FunctionsHostStandIn.StartAsync(WorkerDirectory, appSettings);
            return new StandInApp(sandbox, host, images, captions, answers, jobs);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value, polling; on timeout fails with the stand-in's recent log.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is T value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}. Stand-in log:{Environment.NewLine}{Host.Log.Tail()}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await JobsPoison.DeleteIfExistsAsync();
        await Sandbox.QueueService.GetQueueClient("azure-webjobs-blobtrigger-" + Host.HostId).DeleteIfExistsAsync();
        await Sandbox.DisposeAsync();
    }
}
