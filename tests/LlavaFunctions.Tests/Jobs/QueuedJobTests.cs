using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlavaFunctions.Tests.Jobs;

public sealed class QueuedJobTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_job_sent_with_the_production_encoding_is_answered_into_the_answers_container()
    {
        byte[] image = AppFixture.Image("coffee_500x375");
        await app.Images.GetBlobClient("jobs/coffee.png").UploadAsync(BinaryData.FromBytes(image), overwrite: true);
        string json = $$$"""{"jobId":"job-coffee","image":"{{{app.Images.Name}}}/jobs/coffee.png","questions":["What is this?","What colour is it?"],"options":{"maxTokens":6}}""";
        // A producer uses the same client options as the app: base64, as the queue trigger expects.
        QueueClient producer = new(app.Sandbox.ConnectionString, app.JobsQueue.Name, StorageAccount.QueueOptions());
        await producer.SendMessageAsync(json);

        QueueMessage message = (await app.JobsQueue.ReceiveMessageAsync()).Value;
        await new AnswerQueuedJob(app.Jobs).RunAsync(message, CancellationToken.None);

        VqaJobResult result = (await app.Jobs.GetAsync("job-coffee", CancellationToken.None))!;
        Assert.Equal(VqaJobResult.Succeeded, result.Status);
        Assert.Equal(2, result.Answers.Count);
        GenerationResult expected = await (await app.EngineAsync()).GenerateAsync([PromptMessage.User(image, "What colour is it?")], new GenerationOptions { MaxNewTokens = 6 });
        Assert.Equal(expected.Text, result.Answers[1].Answer);
        Assert.Equal(576, result.Answers[0].Usage.ImageTokens);
        Assert.Equal("llava-1.5", result.Model);
    }

    [Fact]
    public async Task A_malformed_message_becomes_a_failed_result_with_the_reason_instead_of_looping()
    {
        VqaJobResult result = await app.Jobs.ProcessAsync("{ this is not json", "msg-1", 1, CancellationToken.None);

        Assert.Equal(VqaJobResult.Failed, result.Status);
        Assert.Equal(ApiErrorCodes.InvalidJson, result.Error!.Code);
        Assert.Equal("invalid-msg-1", result.JobId);
        Assert.NotNull(await app.Jobs.GetAsync("invalid-msg-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_job_missing_fields_is_failed_under_its_own_id_with_every_problem_named()
    {
        VqaJobResult result = await app.Jobs.ProcessAsync("""{"jobId":"job-empty","questions":[],"options":{"topP":3}}""", "msg-2", 1, CancellationToken.None);

        Assert.Equal("job-empty", result.JobId);
        Assert.Equal(ApiErrorCodes.InvalidRequest, result.Error!.Code);
        Assert.Contains("image", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("questions", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("options.topP", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processing_is_idempotent_on_the_job_id()
    {
        await app.Images.GetBlobClient("jobs/cat.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        string json = $$$"""{"jobId":"job-twice","image":"{{{app.Images.Name}}}/jobs/cat.png","questions":["Hi?"],"options":{"maxTokens":3}}""";
        await app.Jobs.ProcessAsync(json, "m", 1, CancellationToken.None);
        BlobClient document = app.Answers.GetBlobClient("job-twice.json");
        Azure.ETag first = (await document.GetPropertiesAsync()).Value.ETag;

        VqaJobResult again = await app.Jobs.ProcessAsync(json, "m", 2, CancellationToken.None);

        Assert.Equal(VqaJobResult.Succeeded, again.Status);
        Assert.Equal(first, (await document.GetPropertiesAsync()).Value.ETag);
    }

    [Theory]
    [InlineData("https://attacker.example/cat.png", ApiErrorCodes.ImageReferenceRefused)]
    [InlineData("no-such-container/cat.png", ApiErrorCodes.ImageReferenceRefused)]
    [InlineData("{images}/no-such-blob.png", ApiErrorCodes.ImageReferenceNotFound)]
    public async Task Images_outside_the_allowed_containers_or_missing_fail_the_job_at_once_with_the_http_code(string image, string code)
    {
        image = image.Replace("{images}", app.Images.Name, StringComparison.Ordinal);
        string id = "job-img-" + Math.Abs(image.GetHashCode(StringComparison.Ordinal));
        VqaJobResult result = await app.Jobs.ProcessAsync($$$"""{"jobId":"{{{id}}}","image":"{{{image}}}","questions":["?"]}""", "m", 1, CancellationToken.None);

        Assert.Equal(VqaJobResult.Failed, result.Status);
        Assert.Equal(code, result.Error!.Code);
        Assert.Equal(VqaJobResult.CurrentVersion, result.Version);
    }

    [Fact]
    public async Task A_corrupt_image_fails_the_job_with_the_http_api_s_image_code()
    {
        await app.Images.GetBlobClient("jobs/broken.jpg").UploadAsync(BinaryData.FromBytes(AppFixture.BadImage("truncated.jpg")), overwrite: true);

        VqaJobResult result = await app.Jobs.ProcessAsync($$$"""{"jobId":"job-broken","image":"{{{app.Images.Name}}}/jobs/broken.jpg","questions":["?"]}""", "m", 1, CancellationToken.None);

        Assert.Equal(ApiErrorCodes.InvalidImage, result.Error!.Code);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_on_the_last_attempt_the_result_says_so()
    {
        await app.Images.GetBlobClient("jobs/wait.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        TaskCompletionSource<string> never = new();
        using ModelHost loading = new(app.Options.ToEngineOptions(), (_, _) => never.Task, NullLoggerFactory.Instance);
        JobService jobs = new(app.Storage, loading, new OwnStorageImages(app.Storage, app.Options), app.Options with { ReadinessTimeoutSeconds = 0.02 }, NullLogger<JobService>.Instance);
        string json = $$$"""{"jobId":"job-wait","image":"{{{app.Images.Name}}}/jobs/wait.png","questions":["?"]}""";

        await Assert.ThrowsAsync<ModelNotReadyException>(() => jobs.ProcessAsync(json, "m", 1, CancellationToken.None));
        Assert.Null(await app.Jobs.GetAsync("job-wait", CancellationToken.None));

        await Assert.ThrowsAsync<ModelNotReadyException>(() => jobs.ProcessAsync(json, "m", app.Options.MaxDequeueCount, CancellationToken.None));
        VqaJobResult result = (await app.Jobs.GetAsync("job-wait", CancellationToken.None))!;
        Assert.Equal("retries_exhausted", result.Error!.Code);
        Assert.Contains("poison", result.Error.Message, StringComparison.Ordinal);
    }
}
