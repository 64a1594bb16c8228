using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace LlavaFunctions.Storage;

/// <summary>
/// The app's own storage account, reached the way the Functions host reaches it: the <c>AzureWebJobsStorage</c>
/// connection string locally (Azurite), or identity-based settings in Azure
/// (<c>AzureWebJobsStorage__accountName</c> / <c>__blobServiceUri</c>, <c>__clientId</c>) with no key anywhere.
/// Job messages are base64-encoded, as the queue trigger expects by default.
/// </summary>
public sealed class StorageAccount
{
    public const string ConnectionName = "AzureWebJobsStorage";

    public StorageAccount(BlobServiceClient blobs, QueueServiceClient queues)
    {
        Blobs = blobs;
        Queues = queues;
    }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>True when <paramref name="uri"/> points into this account (the only place images are fetched from).</summary>
    public bool Owns(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri own = Blobs.Uri;
        // Azurite serves accounts by path (http://127.0.0.1:10000/devstoreaccount1), Azure by host name.
        return string.Equals(uri.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, own.Authority, StringComparison.OrdinalIgnoreCase)
            && uri.AbsolutePath.StartsWith(own.AbsolutePath.TrimEnd('/') + "/", StringComparison.Ordinal);
    }

    public static QueueClientOptions QueueOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public static StorageAccount FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[ConnectionName] is { Length: > 0 } connectionString)
        {
            return new StorageAccount(new BlobServiceClient(connectionString), new QueueServiceClient(connectionString, QueueOptions()));
        }

        IConfigurationSection section = configuration.GetSection(ConnectionName);
        string? account = section["accountName"];
        Uri? blobUri = section["blobServiceUri"] is { Length: > 0 } b ? new Uri(b) : account is null ? null : new Uri($"https://{account}.blob.core.windows.net");
        Uri? queueUri = section["queueServiceUri"] is { Length: > 0 } q ? new Uri(q) : account is null ? null : new Uri($"https://{account}.queue.core.windows.net");
        if (blobUri is null || queueUri is null)
        {
            throw new InvalidOperationException(
                $"No storage configured: set {ConnectionName} (a connection string, e.g. UseDevelopmentStorage=true) or {ConnectionName}__accountName with {ConnectionName}__credential=managedidentity and {ConnectionName}__clientId.");
        }

        TokenCredential credential = section["clientId"] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new StorageAccount(new BlobServiceClient(blobUri, credential), new QueueServiceClient(queueUri, credential, QueueOptions()));
    }
}
