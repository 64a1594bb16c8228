using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace LlavaFunctions.Storage;

/// <summary>Reads and writes the app's JSON documents in blob storage, with one set of serializer settings.</summary>
public static class JsonDocuments
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task WriteAsync<T>(BlobClient blob, T document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        BinaryData content = BinaryData.FromObjectAsJson(document, Options);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
    }

    /// <summary>The document, or null when the blob does not exist.</summary>
    public static async Task<T?> ReadAsync<T>(BlobClient blob, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            BlobDownloadResult result = (await blob.DownloadContentAsync(cancellationToken)).Value;
            return result.Content.ToObjectFromJson<T>(Options);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
