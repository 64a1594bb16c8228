using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Xunit;

namespace Llava.Testing.Storage;

/// <summary>
/// A private corner of the storage emulator for one test class: every container and queue it creates
/// has a unique name, and all of them are deleted when the sandbox is disposed, so storage tests never
/// see each other's data even when they run in parallel or a previous run crashed.
/// </summary>
/// <remarks>
/// The connection string comes from <c>LLAVA_TEST_STORAGE</c>, else Azurite's well-known development
/// account. If the emulator does not answer, <see cref="InitializeAsync"/> throws
/// <see cref="AzuriteUnavailableException"/>: the test fails loudly instead of being skipped.
/// </remarks>
public sealed class StorageSandbox : IAsyncLifetime
{
    public const string ConnectionStringVariable = "LLAVA_TEST_STORAGE";
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(5);

    private readonly List<BlobContainerClient> _containers = [];
    private readonly List<QueueClient> _queues = [];
    private readonly string _prefix;
    private int _counter;

    public StorageSandbox()
        : this(Environment.GetEnvironmentVariable(ConnectionStringVariable) ?? DevelopmentConnectionString)
    {
    }

    public StorageSandbox(string connectionString)
    {
        ConnectionString = connectionString;
        // Storage names allow lower-case letters, digits and hyphens; 10 hex characters make a collision
        // between concurrent runs vanishingly unlikely while leaving room for a readable purpose.
        _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        BlobService = new BlobServiceClient(connectionString, new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = s_probeTimeout } });
        QueueService = new QueueServiceClient(connectionString, new QueueClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = s_probeTimeout } });
    }

    /// <summary>The connection string the sandbox uses; hand it to the code under test.</summary>
    public string ConnectionString { get; }

    public BlobServiceClient BlobService { get; }

    public QueueServiceClient QueueService { get; }

    /// <summary>Makes a unique, valid container or queue name that says what it is for.</summary>
    public string UniqueName(string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        string cleaned = new(purpose.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray());
        int n = Interlocked.Increment(ref _counter);
        string name = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{cleaned}-{n}");
        return name.Length <= 63 ? name : name[..63].TrimEnd('-');
    }

    public async Task<BlobContainerClient> CreateContainerAsync(string purpose, CancellationToken cancellationToken = default)
    {
        BlobContainerClient container = BlobService.GetBlobContainerClient(UniqueName(purpose));
        lock (_containers)
        {
            _containers.Add(container);
        }

        await container.CreateAsync(cancellationToken: cancellationToken);
        return container;
    }

    public async Task<QueueClient> CreateQueueAsync(string purpose, CancellationToken cancellationToken = default)
    {
        QueueClient queue = QueueService.GetQueueClient(UniqueName(purpose));
        lock (_queues)
        {
            _queues.Add(queue);
        }

        await queue.CreateAsync(cancellationToken: cancellationToken);
        return queue;
    }

    /// <summary>Checks that the emulator answers on both the blob and the queue endpoints.</summary>
    public async Task InitializeAsync()
    {
        using CancellationTokenSource timeout = new(s_probeTimeout * 2);
        try
        {
            await BlobService.GetPropertiesAsync(timeout.Token);
            await QueueService.GetPropertiesAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException or HttpRequestException or AggregateException)
        {
            throw new AzuriteUnavailableException(
                $"Storage is not reachable at {BlobService.Uri} / {QueueService.Uri} ({ex.GetType().Name}: {FirstLine(ex.Message)}). " +
                "Storage tests need Azurite: run `bash .ci/run`, or start it with " +
                "`npx azurite --silent --disableTelemetry --skipApiVersionCheck --location \"$(mktemp -d)\" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1`, " +
                $"or point {ConnectionStringVariable} at another account.",
                ex);
        }
    }

    /// <summary>Deletes everything the sandbox created, whatever state the test left it in.</summary>
    public async Task DisposeAsync()
    {
        BlobContainerClient[] containers;
        QueueClient[] queues;
        lock (_containers)
        {
            containers = [.. _containers];
        }

        lock (_queues)
        {
            queues = [.. _queues];
        }

        foreach (BlobContainerClient container in containers)
        {
            await container.DeleteIfExistsAsync();
        }

        foreach (QueueClient queue in queues)
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }
}
