using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace LlavaFunctions.Captioning;

/// <summary>
/// Captions images uploaded to the images container. Event Grid delivers the blob-created events: the source
/// that scales from zero on Container Apps and does not poll the container.
/// </summary>
public sealed class CaptionOnUpload(CaptionService captions)
{
    [Function(nameof(CaptionOnUpload))]
    public Task RunAsync(
        [BlobTrigger("%LLAVA_IMAGES_CONTAINER%/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient image,
        CancellationToken cancellationToken) =>
        captions.CaptionAsync(image, cancellationToken);
}
