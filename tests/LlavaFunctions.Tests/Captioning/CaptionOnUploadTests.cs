using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Inference.Generation;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;
using LlavaFunctions.Captioning;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlavaFunctions.Tests.Captioning;

public sealed class CaptionOnUploadTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task An_uploaded_image_gets_a_caption_document_equal_to_the_engine_s_answer()
    {
        byte[] image = AppFixture.Image("chelsea_336x336");
        BlobClient blob = await UploadAsync("cats/chelsea.png", image, "image/png");

        // As the host would invoke it, with the bound BlobClient.
        await new CaptionOnUpload(app.Captions).RunAsync(blob, CancellationToken.None);

        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        GenerationResult expected = await (await app.EngineAsync()).AskAsync(image, app.Options.CaptionPrompt, new GenerationOptions { MaxNewTokens = app.Options.CaptionMaxTokens });
        Assert.Equal(CaptionDocument.Captioned, document.Status);
        Assert.Equal(expected.Text, document.Caption);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString(), document.SourceEtag);
        Assert.Equal("image/png", document.ContentType);
        Assert.Equal((336, 336), (document.Width, document.Height));
        Assert.Equal("llava-1.5", document.Model);
        Assert.Equal("fp32", document.Precision);
        Assert.Equal(576, document.Usage!.ImageTokens);
        Assert.Equal(FinishReasonNames.Of(expected.FinishReason), document.FinishReason);
        Assert.True(document.Timings!.TimeToFirstTokenMs > 0);
        Assert.Equal(CaptionDocument.CurrentVersion, document.Version);
        IDictionary<string, string> tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal(CaptionDocument.Captioned, tags[CaptionService.StatusTag]);
    }

    [Fact]
    public async Task Redelivery_of_the_same_version_does_nothing_and_a_reupload_is_captioned_again()
    {
        BlobClient blob = await UploadAsync("redelivery.png", AppFixture.Image("coffee_500x375"), "image/png");
        Assert.Equal(CaptionOutcome.Captioned, await app.Captions.CaptionAsync(blob, CancellationToken.None));
        BlobClient captionBlob = app.CaptionDocuments.GetBlobClient("redelivery.png.json");
        ETag firstWrite = (await captionBlob.GetPropertiesAsync()).Value.ETag;

        CaptionOutcome again = await app.Captions.CaptionAsync(blob, CancellationToken.None);

        Assert.Equal(CaptionOutcome.AlreadyDone, again);
        Assert.Equal(firstWrite, (await captionBlob.GetPropertiesAsync()).Value.ETag);

        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("astronaut_316x500")), overwrite: true);
        CaptionOutcome reupload = await app.Captions.CaptionAsync(blob, CancellationToken.None);

        Assert.Equal(CaptionOutcome.Captioned, reupload);
        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString(), document.SourceEtag);
        Assert.Equal((316, 500), (document.Width, document.Height));
    }

    [Theory]
    [InlineData("truncated.jpg", ApiErrorCodes.InvalidImage)]
    [InlineData("bomb_100000x100000.png", ApiErrorCodes.ImageTooLarge)]
    [InlineData("tiny.tiff", ApiErrorCodes.UnsupportedImage)]
    public async Task An_image_that_can_never_be_captioned_gets_an_error_document_and_is_not_retried(string file, string code)
    {
        BlobClient blob = await UploadAsync("bad/" + file, AppFixture.BadImage(file), "application/octet-stream");

        CaptionOutcome outcome = await app.Captions.CaptionAsync(blob, CancellationToken.None);

        Assert.Equal(CaptionOutcome.Rejected, outcome);
        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        Assert.Equal(CaptionDocument.Failed, document.Status);
        Assert.Equal(code, document.Error!.Code);
        Assert.Equal(CaptionDocument.CurrentVersion, document.Version);
        Assert.False(string.IsNullOrWhiteSpace(document.Error.Message));
        Assert.Equal(CaptionDocument.Failed, (await blob.GetTagsAsync()).Value.Tags[CaptionService.StatusTag]);
        Assert.Equal(CaptionOutcome.AlreadyDone, await app.Captions.CaptionAsync(blob, CancellationToken.None));
    }

    [Fact]
    public async Task A_text_file_in_the_images_container_gets_an_error_document()
    {
        BlobClient blob = await UploadAsync("notes.txt", "not an image"u8.ToArray(), "text/plain");

        Assert.Equal(CaptionOutcome.Rejected, await app.Captions.CaptionAsync(blob, CancellationToken.None));
        Assert.Equal(ApiErrorCodes.UnsupportedImage, (await ReadCaptionAsync(blob))!.Error!.Code);
    }

    [Fact]
    public async Task A_model_that_is_not_ready_fails_in_a_retryable_way_and_writes_nothing()
    {
        BlobClient blob = await UploadAsync("waiting.png", AppFixture.Image("chelsea_336x336"), "image/png");
        TaskCompletionSource<string> never = new();
        using ModelHost loading = new(app.Options.ToEngineOptions(), (_, _) => never.Task, NullLoggerFactory.Instance);
        CaptionService captions = new(app.Storage, loading, app.Options with { ReadinessTimeoutSeconds = 0.05 }, NullLogger<CaptionService>.Instance);

        ModelNotReadyException error = await Assert.ThrowsAsync<ModelNotReadyException>(() => captions.CaptionAsync(blob, CancellationToken.None));

        Assert.Equal(ModelState.Loading, error.State);
        Assert.False((await app.CaptionDocuments.GetBlobClient("waiting.png.json").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Unreachable_storage_surfaces_as_a_retryable_failure_with_nothing_half_written()
    {
        BlobClient blob = await UploadAsync("outage.png", AppFixture.Image("chelsea_336x336"), "image/png");
        const string Dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        BlobClientOptions quick = new() { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } };
        StorageAccount dead = new(new BlobServiceClient(Dead, quick), app.Storage.Queues);
        CaptionService captions = new(dead, app.Model, app.Options, NullLogger<CaptionService>.Instance);

        await Assert.ThrowsAnyAsync<Exception>(() => captions.CaptionAsync(blob, CancellationToken.None));

        Assert.False((await app.CaptionDocuments.GetBlobClient("outage.png.json").ExistsAsync()).Value);
        Assert.Equal(CaptionOutcome.Captioned, await app.Captions.CaptionAsync(blob, CancellationToken.None));
    }

    private async Task<BlobClient> UploadAsync(string name, byte[] content, string contentType)
    {
        BlobClient blob = app.Images.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } });
        return blob;
    }

    private Task<CaptionDocument?> ReadCaptionAsync(BlobClient source) =>
        JsonDocuments.ReadAsync<CaptionDocument>(app.CaptionDocuments.GetBlobClient(source.Name + ".json"), CancellationToken.None);
}
