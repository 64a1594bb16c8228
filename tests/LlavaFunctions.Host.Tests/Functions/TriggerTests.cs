using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using LlavaFunctions.Host.Tests.StandIn;

namespace LlavaFunctions.Host.Tests.Functions;

/// <summary>The queue and Event Grid blob triggers through the WebJobs extensions into the published worker.</summary>
public sealed class TriggerTests(RunningAppFixture fixture) : IClassFixture<RunningAppFixture>
{
    private StandInApp App => fixture.App;

    [Fact]
    public async Task An_upload_announced_by_Event_Grid_gets_its_caption_document()
    {
        BlobClient image = await Payloads.UploadAsync(App.Images, "cats/chelsea.png", Payloads.Image());
        string etag = (await image.GetPropertiesAsync()).Value.ETag.ToString();

        using HttpRequestMessage delivery = new(HttpMethod.Post, new Uri("runtime/webhooks/blobs?functionName=Host.Functions.CaptionOnUpload", UriKind.Relative))
        {
            Content = new StringContent(await Payloads.BlobCreatedEventAsync(image), System.Text.Encoding.UTF8, "application/json"),
        };
        delivery.Headers.Add("aeg-event-type", "Notification");
        HttpResponseMessage accepted = await App.Http.SendAsync(delivery);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        JsonObject document = await App.EventuallyAsync(() => ReadJsonAsync(App.Captions.GetBlobClient("cats/chelsea.png.json")), TimeSpan.FromSeconds(90), "the caption document");
        Assert.Equal("captioned", (string?)document["status"]);
        Assert.Equal(etag, (string?)document["sourceEtag"]);
        Assert.Equal(336, (int?)document["width"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)document["caption"]));
        // The document is written before the worker answers the invocation; the host records the answer just after.
        await App.EventuallyAsync(() => Task.FromResult(App.Host.Invocations.FirstOrDefault(i => i is { Function: "CaptionOnUpload", Outcome: InvocationRecord.Success })), TimeSpan.FromSeconds(30), "the successful CaptionOnUpload invocation");
    }

    [Fact]
    public async Task The_Event_Grid_subscription_handshake_is_answered_by_the_blob_extension()
    {
        using HttpRequestMessage validation = new(HttpMethod.Post, new Uri("runtime/webhooks/blobs?functionName=Host.Functions.CaptionOnUpload", UriKind.Relative))
        {
            Content = new StringContent("""[{"id":"1","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationCode":"abc-123"}}]""", System.Text.Encoding.UTF8, "application/json"),
        };
        validation.Headers.Add("aeg-event-type", "SubscriptionValidation");

        HttpResponseMessage response = await App.Http.SendAsync(validation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("abc-123", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["validationResponse"]);
    }

    [Fact]
    public async Task A_queued_job_gets_its_answer_document_and_leaves_the_queue()
    {
        await Payloads.UploadAsync(App.Images, "job.png", Payloads.Image());
        string jobId = "job-" + Guid.NewGuid().ToString("N")[..8];

        await App.Jobs.SendMessageAsync(Payloads.Job(jobId, $"{App.Images.Name}/job.png", 4, "What is it?", "What colour is it?"));

        JsonObject result = await App.EventuallyAsync(() => ReadJsonAsync(App.Answers.GetBlobClient(jobId + ".json")), TimeSpan.FromSeconds(90), "the answer document");
        Assert.Equal("succeeded", (string?)result["status"]);
        Assert.Equal(1, (int?)result["attempts"]);
        Assert.Equal(2, result["answers"]!.AsArray().Count);
        await App.EventuallyAsync(async () => (await App.Jobs.PeekMessagesAsync()).Value.Length == 0 ? "empty" : null, TimeSpan.FromSeconds(30), "the queue to be empty");
    }

    internal static async Task<JsonObject?> ReadJsonAsync(BlobClient blob)
    {
        try
        {
            BlobDownloadResult content = (await blob.DownloadContentAsync()).Value;
            return JsonNode.Parse(content.Content.ToString())!.AsObject();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
