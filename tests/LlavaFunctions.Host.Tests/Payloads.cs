using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Testing;

namespace LlavaFunctions.Host.Tests;

/// <summary>Test images, job messages and Event Grid events as the real producers send them.</summary>
public static class Payloads
{
    public static byte[] Image(string stem = "chelsea_336x336") => File.ReadAllBytes(RepositoryPaths.Fixture("images", stem + ".png"));

    /// <summary>A job message as docs/functions.md documents it.</summary>
    public static string Job(string jobId, string image, int maxTokens = 4, params string[] questions) => new JsonObject
    {
        ["jobId"] = jobId,
        ["image"] = image,
        ["questions"] = new JsonArray([.. (questions.Length == 0 ? ["What is in the picture?"] : questions).Select(q => (JsonNode)q!)]),
        ["options"] = new JsonObject { ["maxTokens"] = maxTokens, ["seed"] = 1 },
    }.ToJsonString();

    public static async Task<BlobClient> UploadAsync(BlobContainerClient container, string name, byte[] content)
    {
        BlobClient blob = container.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "image/png" } });
        return blob;
    }

    /// <summary>The Microsoft.Storage.BlobCreated event Event Grid delivers for an upload (Event Grid schema).</summary>
    public static async Task<string> BlobCreatedEventAsync(BlobClient blob)
    {
        BlobProperties properties = (await blob.GetPropertiesAsync()).Value;
        return new JsonArray(new JsonObject
        {
            ["topic"] = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/" + blob.AccountName,
            ["subject"] = $"/blobServices/default/containers/{blob.BlobContainerName}/blobs/{blob.Name}",
            ["eventType"] = "Microsoft.Storage.BlobCreated",
            ["id"] = Guid.NewGuid().ToString(),
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["dataVersion"] = "",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["api"] = "PutBlob",
                ["eTag"] = properties.ETag.ToString().Trim('"'),
                ["contentType"] = properties.ContentType,
                ["contentLength"] = properties.ContentLength,
                ["blobType"] = "BlockBlob",
                ["url"] = blob.Uri.ToString(),
                ["sequencer"] = "0000000000000000000000000000000000000000000000000000000000000001",
            },
        }).ToJsonString();
    }
}
