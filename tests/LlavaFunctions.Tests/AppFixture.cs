using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Llava.Inference.Engine;
using Llava.Serving.Hosting;
using Llava.Testing.Models;
using Llava.Testing.Storage;
using LlavaFunctions.Captioning;
using LlavaFunctions.Configuration;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlavaFunctions.Tests;

/// <summary>
/// The app's services as the worker wires them, over a private Azurite sandbox (its own images, captions and
/// answers containers and jobs queue) and a tiny model (random weights, the real pipeline).
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string Family = "llava-1.5";

    public StorageSandbox Sandbox { get; } = new();

    public LlavaAppOptions Options { get; private set; } = new();

    public StorageAccount Storage { get; private set; } = null!;

    public ModelHost Model { get; private set; } = null!;

    public CaptionService Captions { get; private set; } = null!;

    public JobService Jobs { get; private set; } = null!;

    public JobSubmission Submission { get; private set; } = null!;

    public BlobContainerClient Images { get; private set; } = null!;

    public BlobContainerClient CaptionDocuments { get; private set; } = null!;

    public BlobContainerClient Answers { get; private set; } = null!;

    public QueueClient JobsQueue { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Sandbox.InitializeAsync();
        Images = await Sandbox.CreateContainerAsync("images");
        CaptionDocuments = await Sandbox.CreateContainerAsync("captions");
        Answers = await Sandbox.CreateContainerAsync("answers");
        QueueClient created = await Sandbox.CreateQueueAsync("vqa-jobs");
        Options = new LlavaAppOptions
        {
            ModelPath = TinyModels.Model(Family),
            ImagesContainer = Images.Name,
            CaptionsContainer = CaptionDocuments.Name,
            AnswersContainer = Answers.Name,
            JobsQueue = created.Name,
            CaptionMaxTokens = 8,
            MaxConcurrentGenerations = 2,
            ReadinessTimeoutSeconds = 60,
        };
        Storage = new StorageAccount(new BlobServiceClient(Sandbox.ConnectionString), new QueueServiceClient(Sandbox.ConnectionString, StorageAccount.QueueOptions()));
        JobsQueue = Storage.Queues.GetQueueClient(created.Name);
        Model = ModelHost.ForLocalFolder(Options.ToEngineOptions(), NullLoggerFactory.Instance);
        Model.Start();
        await Model.Ready;
        Captions = new CaptionService(Storage, Model, Options, NullLogger<CaptionService>.Instance);
        Jobs = new JobService(Storage, Model, new OwnStorageImages(Storage, Options), Options, NullLogger<JobService>.Instance);
        Submission = new JobSubmission(Storage, Jobs, Options);
    }

    public async Task<LlavaEngine> EngineAsync() => await Model.Ready;

    public async Task DisposeAsync()
    {
        Model.Dispose();
        await Sandbox.DisposeAsync();
    }

    public static byte[] Image(string stem) => File.ReadAllBytes(Llava.Testing.RepositoryPaths.Fixture("images", stem + ".png"));

    public static byte[] BadImage(string file) => File.ReadAllBytes(Llava.Testing.RepositoryPaths.Fixture("images", "bad", file));
}
