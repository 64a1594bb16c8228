using Azure;
using Azure.Storage.Blobs;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Captioning;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlavaFunctions.Tests.Captioning;

/// <summary>Every upload ends in a document; documents, tags and the captioned bytes belong to one blob version.</summary>
public sealed class CaptionFailureTests(AppFixture app) : IClassFixture<AppFixture>
{
    public static TheoryData<string, byte[]> DecoderCrashers => new()
    {
        { "soi-eoi.jpg", CraftedImages.JpegStartAndEndOnly },
        { "no-scan.jpg", CraftedImages.JpegWithoutScan() },
    };

    [Theory]
    [MemberData(nameof(DecoderCrashers))]
    public async Task An_upload_that_crashes_the_decoder_gets_a_failed_document_by_the_last_delivery(string name, byte[] bytes)
    {
        BlobClient blob = app.Images.GetBlobClient("crash/" + name);
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        // Delivered as the host would: until it completes or the poison threshold is reached.
        for (int delivery = 1; delivery <= app.Options.PoisonBlobThreshold; delivery++)
        {
            try
            {
                await app.Captions.CaptionAsync(blob, CancellationToken.None);
                break;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                // Redelivered.
            }
        }

        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        Assert.Equal(CaptionDocument.Failed, document.Status);
        Assert.Contains(document.Error!.Code, new[] { ApiErrorCodes.InvalidImage, ApiErrorCodes.RetriesExhausted });
        Assert.Equal(CaptionDocument.Failed, (await blob.GetTagsAsync()).Value.Tags[CaptionService.StatusTag]);
    }

    [Fact]
    public async Task A_bug_is_retried_counting_attempts_in_the_tags_and_the_last_attempt_writes_retries_exhausted()
    {
        BlobClient blob = app.Images.GetBlobClient("bug.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        CaptionService buggy = new(app.Storage, app.Model, app.Options with { PoisonBlobThreshold = 3 }, NullLogger<CaptionService>.Instance)
        {
            BeforeDownload = (_, _) => throw new InvalidOperationException("secret internal state"),
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => buggy.CaptionAsync(blob, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => buggy.CaptionAsync(blob, CancellationToken.None));

        IDictionary<string, string> tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal(CaptionService.Retrying, tags[CaptionService.StatusTag]);
        Assert.Equal("2", tags[CaptionService.AttemptsTag]);
        Assert.Null(await ReadCaptionAsync(blob));

        await Assert.ThrowsAsync<InvalidOperationException>(() => buggy.CaptionAsync(blob, CancellationToken.None));

        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        Assert.Equal(ApiErrorCodes.RetriesExhausted, document.Error!.Code);
        Assert.DoesNotContain("secret", document.Error.Message, StringComparison.Ordinal);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString(), document.SourceEtag);
        Assert.Equal(CaptionDocument.Failed, (await blob.GetTagsAsync()).Value.Tags[CaptionService.StatusTag]);
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_gets_image_too_large_without_being_read()
    {
        BlobClient blob = app.Images.GetBlobClient("big.png");
        byte[] image = AppFixture.Image("coffee_500x375");
        await blob.UploadAsync(BinaryData.FromBytes(image), overwrite: true);
        bool downloaded = false;
        CaptionService strict = new(app.Storage, app.Model, app.Options with { MaxImageBytes = image.Length - 1 }, NullLogger<CaptionService>.Instance)
        {
            BeforeDownload = (_, _) =>
            {
                downloaded = true;
                return Task.CompletedTask;
            },
        };

        Assert.Equal(CaptionOutcome.Rejected, await strict.CaptionAsync(blob, CancellationToken.None));

        Assert.False(downloaded);
        Assert.Equal(ApiErrorCodes.ImageTooLarge, (await ReadCaptionAsync(blob))!.Error!.Code);
    }

    [Fact]
    public async Task A_redelivery_after_a_crash_between_the_document_and_the_tags_repairs_the_tags_and_keeps_other_tags()
    {
        BlobClient blob = app.Images.GetBlobClient("untagged.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        Assert.Equal(CaptionOutcome.Captioned, await app.Captions.CaptionAsync(blob, CancellationToken.None));
        ETag document = (await app.CaptionDocuments.GetBlobClient("untagged.png.json").GetPropertiesAsync()).Value.ETag;
        // The state a crash right after the document write leaves: no tags of ours (someone else's tag stays).
        await blob.SetTagsAsync(new Dictionary<string, string> { ["owner"] = "team-a" });

        Assert.Equal(CaptionOutcome.AlreadyDone, await app.Captions.CaptionAsync(blob, CancellationToken.None));

        IDictionary<string, string> tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal(CaptionDocument.Captioned, tags[CaptionService.StatusTag]);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString().Trim('"'), tags[CaptionService.EtagTag]);
        Assert.Equal("team-a", tags["owner"]);
        Assert.Equal(document, (await app.CaptionDocuments.GetBlobClient("untagged.png.json").GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task A_redelivery_repairs_tags_left_stale_by_an_earlier_version()
    {
        BlobClient blob = app.Images.GetBlobClient("stale.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        Assert.Equal(CaptionOutcome.Captioned, await app.Captions.CaptionAsync(blob, CancellationToken.None));
        await blob.SetTagsAsync(new Dictionary<string, string> { [CaptionService.StatusTag] = CaptionDocument.Failed, [CaptionService.EtagTag] = "0x8D000000000OLD" });

        Assert.Equal(CaptionOutcome.AlreadyDone, await app.Captions.CaptionAsync(blob, CancellationToken.None));

        IDictionary<string, string> tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal(CaptionDocument.Captioned, tags[CaptionService.StatusTag]);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString().Trim('"'), tags[CaptionService.EtagTag]);
    }

    [Fact]
    public async Task A_blob_replaced_between_the_size_check_and_the_download_is_captioned_as_the_new_version_only()
    {
        BlobClient blob = app.Images.GetBlobClient("swapped.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        ETag first = (await blob.GetPropertiesAsync()).Value.ETag;
        int calls = 0;
        CaptionService racing = new(app.Storage, app.Model, app.Options, NullLogger<CaptionService>.Instance)
        {
            BeforeDownload = async (target, token) =>
            {
                if (calls++ == 0)
                {
                    await target.UploadAsync(BinaryData.FromBytes(AppFixture.Image("astronaut_316x500")), overwrite: true, token);
                }
            },
        };

        Assert.Equal(CaptionOutcome.Captioned, await racing.CaptionAsync(blob, CancellationToken.None));

        ETag second = (await blob.GetPropertiesAsync()).Value.ETag;
        Assert.NotEqual(first, second);
        CaptionDocument document = (await ReadCaptionAsync(blob))!;
        Assert.Equal(second.ToString(), document.SourceEtag);
        Assert.Equal((316, 500), (document.Width, document.Height));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task The_download_itself_refuses_a_version_other_than_the_one_whose_size_was_checked()
    {
        BlobClient blob = app.Images.GetBlobClient("conditional.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        Azure.Storage.Blobs.Models.BlobProperties checkedVersion = (await blob.GetPropertiesAsync()).Value;

        RequestFailedException error = await Assert.ThrowsAsync<RequestFailedException>(() => ImageBlobs.DownloadVersionAsync(
            blob,
            checkedVersion,
            app.Options.MaxImageBytes,
            (target, token) => target.UploadAsync(BinaryData.FromBytes(AppFixture.Image("coffee_500x375")), overwrite: true, token),
            CancellationToken.None));

        Assert.Equal(412, error.Status);
        Assert.True(ImageBlobs.IsReplaced(error));
    }

    private Task<CaptionDocument?> ReadCaptionAsync(BlobClient source) =>
        JsonDocuments.ReadAsync<CaptionDocument>(app.CaptionDocuments.GetBlobClient(source.Name + ".json"), CancellationToken.None);
}
