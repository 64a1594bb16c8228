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

    /// <summary>The same settings without indentation, for queue messages (whose size is limited).</summary>
    public static JsonSerializerOptions CompactOptions { get; } = new(Options) { WriteIndented = false };

    public static Task WriteAsync<T>(BlobClient blob, T document, CancellationToken cancellationToken) =>
        WriteAsync(blob, document, conditions: null, cancellationToken);

    /// <summary>Writes the document if <paramref name="conditions"/> hold; returns the new ETag.</summary>
    public static async Task<ETag> WriteAsync<T>(BlobClient blob, T document, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        BinaryData content = BinaryData.FromObjectAsJson(document, Options);
        BlobContentInfo written = (await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" }, Conditions = conditions }, cancellationToken)).Value;
        return written.ETag;
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
