using Azure.Storage.Blobs;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlavaFunctions.Tests.Jobs;

/// <summary>Every job message ends in a document: permanent failures at once, everything else on its last delivery.</summary>
public sealed class JobFailureTests(AppFixture app) : IClassFixture<AppFixture>
{
    public static TheoryData<string, byte[]> DecoderCrashers => new()
    {
        { "soi-eoi.jpg", CraftedImages.JpegStartAndEndOnly },
        { "no-scan.jpg", CraftedImages.JpegWithoutScan() },
    };

    [Theory]
    [MemberData(nameof(DecoderCrashers))]
    public async Task An_image_that_crashes_the_decoder_gets_a_failed_document_by_the_last_delivery(string name, byte[] bytes)
    {
        await app.Images.GetBlobClient("crash/" + name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
        string jobId = "crash-" + name.Replace('.', '-');
        string json = $$$"""{"jobId":"{{{jobId}}}","image":"{{{app.Images.Name}}}/crash/{{{name}}}","questions":["?"]}""";

        // Delivered until the job is finished or the host would give up; the record must exist either way.
        VqaJobResult? result = null;
        for (long delivery = 1; delivery <= app.Options.MaxDequeueCount && result is not { IsFinal: true }; delivery++)
        {
            try
            {
                result = await app.Jobs.ProcessAsync(json, "m", delivery, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                result = await app.Jobs.GetAsync(jobId, CancellationToken.None);
            }
        }

        Assert.NotNull(result);
        Assert.Equal(VqaJobResult.Failed, result.Status);
        Assert.Contains(result.Error!.Code, new[] { ApiErrorCodes.InvalidImage, ApiErrorCodes.RetriesExhausted });
    }

    [Fact]
    public async Task A_bug_is_retried_and_on_the_last_delivery_recorded_as_retries_exhausted_without_its_details()
    {
        await app.Images.GetBlobClient("bug/cat.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        OwnStorageImages buggy = new(app.Storage, app.Options) { BeforeDownload = (_, _) => throw new InvalidOperationException("secret internal state") };
        JobService jobs = new(app.Storage, app.Model, buggy, app.Options, NullLogger<JobService>.Instance);
        string json = $$$"""{"jobId":"job-bug","image":"{{{app.Images.Name}}}/bug/cat.png","questions":["?"]}""";

        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.ProcessAsync(json, "m", 1, CancellationToken.None));
        Assert.Null(await app.Jobs.GetAsync("job-bug", CancellationToken.None));

        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.ProcessAsync(json, "m", app.Options.MaxDequeueCount, CancellationToken.None));
        VqaJobResult result = (await app.Jobs.GetAsync("job-bug", CancellationToken.None))!;
        Assert.Equal(ApiErrorCodes.RetriesExhausted, result.Error!.Code);
        Assert.Contains(ApiErrorCodes.InternalError, result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(app.Options.MaxDequeueCount, result.Attempts);
    }

    [Theory]
    [InlineData("""{"maxTokens":2147483647}""", "options.maxTokens")]
    [InlineData("""{"maxTokens":0}""", "options.maxTokens")]
    [InlineData("""{"topK":2147483647}""", "options.topK")]
    [InlineData("""{"temperature":-1}""", "options.temperature")]
    [InlineData("""{"topP":0}""", "options.topP")]
    [InlineData("""{"stop":["a","b","c","d","e"]}""", "options.stop")]
    // Numbers as strings are read (web defaults), so the named non-finite values must be refused by the checks.
    [InlineData("""{"temperature":"NaN"}""", "options.temperature")]
    [InlineData("""{"topP":"Infinity"}""", "options.topP")]
    public async Task A_message_put_on_the_queue_with_unbounded_options_gets_a_failed_document_naming_the_field(string options, string field)
    {
        string jobId = "opt-" + Math.Abs(options.GetHashCode(StringComparison.Ordinal));
        string json = $$$"""{"jobId":"{{{jobId}}}","image":"{{{app.Images.Name}}}/x.png","questions":["?"],"options":{{{options}}}}""";

        VqaJobResult result = await app.Jobs.ProcessAsync(json, "m", 1, CancellationToken.None);

        Assert.Equal(VqaJobResult.Failed, (await app.Jobs.GetAsync(jobId, CancellationToken.None))!.Status);
        Assert.Equal(ApiErrorCodes.InvalidRequest, result.Error!.Code);
        Assert.Contains(field, result.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"maxTokens":1e20}""", "options.maxTokens")]
    [InlineData("""{"topK":"many"}""", "options.topK")]
    public async Task Options_that_do_not_parse_fail_the_job_under_its_own_id_naming_the_field(string options, string field)
    {
        string jobId = "num-" + Math.Abs(options.GetHashCode(StringComparison.Ordinal));
        string json = $$$"""{"jobId":"{{{jobId}}}","image":"{{{app.Images.Name}}}/x.png","questions":["?"],"options":{{{options}}}}""";

        VqaJobResult result = await app.Jobs.ProcessAsync(json, "m", 1, CancellationToken.None);

        Assert.Equal(jobId, result.JobId);
        Assert.Equal(ApiErrorCodes.InvalidJson, result.Error!.Code);
        Assert.Contains(field, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_copy_of_a_finished_job_does_not_overwrite_its_result()
    {
        await app.Images.GetBlobClient("jobs/done.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        await app.Jobs.ProcessAsync($$$"""{"jobId":"job-done","image":"{{{app.Images.Name}}}/jobs/done.png","questions":["?"],"options":{"maxTokens":2}}""", "m", 1, CancellationToken.None);

        VqaJobResult again = await app.Jobs.ProcessAsync("""{"jobId":"job-done","questions":[]}""", "m2", 1, CancellationToken.None);

        Assert.Equal(VqaJobResult.Succeeded, again.Status);
        Assert.Equal(VqaJobResult.Succeeded, (await app.Jobs.GetAsync("job-done", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_prompt_too_long_for_the_context_fails_at_once_with_prompt_too_long()
    {
        await app.Images.GetBlobClient("jobs/long.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        int context = (await app.EngineAsync()).Manifest.ContextLength;
        Assert.True(context <= VqaJobValidator.MaxTokensLimit, $"the tiny model's context ({context}) must be reachable with maxTokens");
        string json = $$$"""{"jobId":"job-long","image":"{{{app.Images.Name}}}/jobs/long.png","questions":["?"],"options":{"maxTokens":{{{context}}}}}""";

        VqaJobResult result = await app.Jobs.ProcessAsync(json, "m", 1, CancellationToken.None);

        Assert.Equal(ApiErrorCodes.PromptTooLong, result.Error!.Code);
    }

    [Fact]
    public async Task An_image_replaced_between_the_size_check_and_the_download_is_answered_from_the_new_version_only()
    {
        byte[] first = AppFixture.Image("chelsea_336x336");
        byte[] second = AppFixture.Image("coffee_500x375");
        BlobClient blob = app.Images.GetBlobClient("jobs/swapped.png");
        await blob.UploadAsync(BinaryData.FromBytes(first), overwrite: true);
        int replacements = 0;
        OwnStorageImages racing = new(app.Storage, app.Options)
        {
            BeforeDownload = async (target, token) =>
            {
                if (replacements++ == 0)
                {
                    await target.UploadAsync(BinaryData.FromBytes(second), overwrite: true, token);
                }
            },
        };
        JobService jobs = new(app.Storage, app.Model, racing, app.Options, NullLogger<JobService>.Instance);

        VqaJobResult result = await jobs.ProcessAsync($$$"""{"jobId":"job-swapped","image":"{{{app.Images.Name}}}/jobs/swapped.png","questions":["What is it?"],"options":{"maxTokens":4}}""", "m", 1, CancellationToken.None);

        Assert.Equal(2, replacements);
        GenerationResult expected = await (await app.EngineAsync()).GenerateAsync([PromptMessage.User(second, "What is it?")], new GenerationOptions { MaxNewTokens = 4 });
        Assert.Equal(expected.Text, result.Answers[0].Answer);
    }
}
