using LlavaFunctions.Host.Tests.StandIn;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Host.Tests.Functions;

/// <summary>What the worker tells the host about its functions, and how host.json reaches the trigger extensions.</summary>
public sealed class MetadataAndSettingsTests(RunningAppFixture fixture) : IClassFixture<RunningAppFixture>
{
    private FunctionsHostStandIn Host => fixture.App.Host;

    [Fact]
    public void The_worker_indexes_every_function_with_the_bindings_the_host_needs()
    {
        Assert.Equal(
            ["AnswerQueuedJob", "Ask", "CaptionOnUpload", "ChatCompletions", "GetJob", "Health", "Model", "Models", "SubmitJob"],
            Host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        WorkerFunction caption = Function("CaptionOnUpload");
        Assert.Equal("blobTrigger", caption.TriggerType);
        Assert.Equal("%LLAVA_IMAGES_CONTAINER%/{name}", WorkerFunction.Text(caption.Trigger, "path"));
        Assert.Equal("EventGrid", WorkerFunction.Text(caption.Trigger, "source"));
        Assert.Equal("AzureWebJobsStorage", WorkerFunction.Text(caption.Trigger, "connection"));
        Assert.True(caption.TriggerSupportsDeferredBinding);
        WorkerFunction job = Function("AnswerQueuedJob");
        Assert.Equal("queueTrigger", job.TriggerType);
        Assert.Equal("%LLAVA_JOBS_QUEUE%", WorkerFunction.Text(job.Trigger, "queueName"));
        Assert.True(job.TriggerSupportsDeferredBinding);
    }

    [Fact]
    public void Only_health_and_the_OpenAI_routes_are_anonymous_at_the_host()
    {
        // OpenAI clients send their key as a bearer token, which function keys do not accept: the worker checks it.
        Dictionary<string, string?> levels = Host.Functions
            .Where(f => f.TriggerType == "httpTrigger")
            .ToDictionary(f => f.Name, f => WorkerFunction.Text(f.Trigger, "authLevel"));
        Assert.Equal("Anonymous", levels["Health"]);
        Assert.Equal("Anonymous", levels["ChatCompletions"]);
        Assert.Equal("Anonymous", levels["Models"]);
        Assert.Equal("Anonymous", levels["Model"]);
        Assert.All(levels.Where(l => l.Key is not ("Health" or "ChatCompletions" or "Models" or "Model")), l => Assert.Equal("Function", l.Value));
    }

    [Fact]
    public void Host_json_queue_and_blob_settings_reach_the_WebJobs_extensions_with_app_setting_overrides()
    {
        Microsoft.Azure.WebJobs.Host.QueuesOptions queues = Host.WebJobsServices.GetRequiredService<IOptions<Microsoft.Azure.WebJobs.Host.QueuesOptions>>().Value;
        // One engine batch of jobs at a time (LLAVA_MAX_BATCH_SIZE's default; docs/functions.md says why).
        Assert.Equal(8, queues.BatchSize);
        Assert.Equal(0, queues.NewBatchThreshold);
        Assert.Equal(5, queues.MaxDequeueCount);
        Assert.Equal(Azure.Storage.Queues.QueueMessageEncoding.Base64, queues.MessageEncoding);
        // host.json says 30 s; the test's AzureFunctionsJobHost__ app setting says 1 s, and the setting wins.
        Assert.Equal(TimeSpan.FromSeconds(1), queues.VisibilityTimeout);
        Microsoft.Azure.WebJobs.Host.BlobsOptions blobs = Host.WebJobsServices.GetRequiredService<IOptions<Microsoft.Azure.WebJobs.Host.BlobsOptions>>().Value;
        Assert.Equal(8, blobs.MaxDegreeOfParallelism);
        Assert.Equal(5, blobs.PoisonBlobThreshold);
        Assert.Equal(TimeSpan.FromMinutes(10), Host.WebJobsServices.GetRequiredService<IOptions<JobHostFunctionTimeoutOptions>>().Value.Timeout);
    }

    private WorkerFunction Function(string name) => Host.Functions.Single(f => f.Name == name);
}
