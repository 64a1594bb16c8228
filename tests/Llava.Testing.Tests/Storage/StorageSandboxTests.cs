using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Llava.Testing.Storage;

namespace Llava.Testing.Tests.Storage;

public sealed class StorageSandboxTests
{
    [Fact]
    public async Task Two_sandboxes_never_see_each_others_blobs()
    {
        await using SandboxScope first = await SandboxScope.StartAsync();
        await using SandboxScope second = await SandboxScope.StartAsync();

        BlobContainerClient mine = await first.Sandbox.CreateContainerAsync("images");
        BlobContainerClient theirs = await second.Sandbox.CreateContainerAsync("images");
        await mine.UploadBlobAsync("cat.txt", BinaryData.FromString("mine"));

        Assert.NotEqual(mine.Name, theirs.Name);
        Assert.True((await mine.GetBlobClient("cat.txt").ExistsAsync()).Value);
        Assert.False((await theirs.GetBlobClient("cat.txt").ExistsAsync()).Value);
    }

    [Fact]
    public void Names_are_valid_storage_names_and_unique_within_a_sandbox()
    {
        StorageSandbox sandbox = new();
        string[] names = [.. Enumerable.Range(0, 50).Select(_ => sandbox.UniqueName("VQA_jobs poison!"))];

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name =>
        {
            Assert.InRange(name.Length, 3, 63);
            Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", name);
            Assert.DoesNotContain("--", name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Disposing_a_sandbox_deletes_its_containers_and_queues()
    {
        StorageSandbox sandbox = new();
        await sandbox.InitializeAsync();
        BlobContainerClient container = await sandbox.CreateContainerAsync("captions");
        QueueClient queue = await sandbox.CreateQueueAsync("jobs");
        await queue.SendMessageAsync("hello");

        await sandbox.DisposeAsync();

        Assert.False((await container.ExistsAsync()).Value);
        Assert.False((await queue.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Queues_created_in_a_sandbox_are_empty_and_private()
    {
        await using SandboxScope scope = await SandboxScope.StartAsync();
        QueueClient a = await scope.Sandbox.CreateQueueAsync("jobs");
        QueueClient b = await scope.Sandbox.CreateQueueAsync("jobs");
        await a.SendMessageAsync("only-in-a");

        Assert.NotEqual(a.Name, b.Name);
        Assert.Equal(1, (await a.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await b.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task An_unreachable_emulator_fails_loudly_and_quickly_with_the_endpoint_in_the_message()
    {
        // Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
        const string DeadAccount =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        StorageSandbox sandbox = new(DeadAccount);
        Stopwatch clock = Stopwatch.StartNew();

        AzuriteUnavailableException error = await Assert.ThrowsAsync<AzuriteUnavailableException>(sandbox.InitializeAsync);

        Assert.Contains("127.0.0.1:9", error.Message, StringComparison.Ordinal);
        Assert.Contains("Azurite", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Blob_properties_written_in_a_sandbox_round_trip_through_the_emulator()
    {
        await using SandboxScope scope = await SandboxScope.StartAsync();
        BlobContainerClient container = await scope.Sandbox.CreateContainerAsync("meta");
        BlobClient blob = container.GetBlobClient("a.json");
        await blob.UploadAsync(BinaryData.FromString("{}"), new Azure.Storage.Blobs.Models.BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = new Dictionary<string, string> { ["outcome"] = "captioned" },
        });

        BlobProperties properties = (await blob.GetPropertiesAsync()).Value;

        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("captioned", properties.Metadata["outcome"]);
    }

    /// <summary>Starts a sandbox and disposes it at the end of a test.</summary>
    private sealed class SandboxScope : IAsyncDisposable
    {
        private SandboxScope(StorageSandbox sandbox) => Sandbox = sandbox;

        public StorageSandbox Sandbox { get; }

        public static async Task<SandboxScope> StartAsync()
        {
            StorageSandbox sandbox = new();
            await sandbox.InitializeAsync();
            return new SandboxScope(sandbox);
        }

        public async ValueTask DisposeAsync() => await Sandbox.DisposeAsync();
    }
}
