using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues.Models;
using Llava.Serving.Http.Errors;
using Llava.Testing.Streams;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlavaFunctions.Tests.Http;

public sealed class JobsHttpTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Submitting_a_job_returns_202_with_its_location_and_the_job_is_queued_and_readable()
    {
        JobsHttp http = new(app.Submission, app.Jobs);
        string body = $$$"""{"image":"{{{app.Images.Name}}}/x.png","questions":["What is it?"]}""";

        IActionResult result = await http.SubmitAsync(Request(body), CancellationToken.None);

        AcceptedResult accepted = Assert.IsType<AcceptedResult>(result);
        Assert.StartsWith("/api/jobs/", accepted.Location, StringComparison.Ordinal);
        string id = accepted.Location!["/api/jobs/".Length..];
        Assert.Contains(await QueuedJobIdsAsync(), queued => queued == id);
        JsonResult status = Assert.IsType<JsonResult>(await http.GetAsync(new DefaultHttpContext().Request, id, CancellationToken.None));
        VqaJobResult document = Assert.IsType<VqaJobResult>(status.Value);
        Assert.Equal(VqaJobResult.Queued, document.Status);
        Assert.Equal(VqaJobResult.CurrentVersion, document.Version);
    }

    [Theory]
    [InlineData("{not json", 400, ApiErrorCodes.InvalidJson)]
    [InlineData("null", 400, ApiErrorCodes.InvalidRequest)]
    [InlineData("""{"questions":["?"]}""", 400, ApiErrorCodes.InvalidRequest)]
    public async Task A_bad_job_is_refused_with_a_problem_document_carrying_the_http_code(string body, int status, string code)
    {
        ContentResult problem = Assert.IsType<ContentResult>(await new JobsHttp(app.Submission, app.Jobs).SubmitAsync(Request(body), CancellationToken.None));

        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(ApiErrorMapper.ProblemContentType, problem.ContentType);
        Assert.Equal(code, Code(problem));
    }

    [Theory]
    [InlineData("""{"maxTokens":2147483647}""", ApiErrorCodes.InvalidRequest, "options.maxTokens")]
    [InlineData("""{"topK":2147483647}""", ApiErrorCodes.InvalidRequest, "options.topK")]
    [InlineData("""{"temperature":11}""", ApiErrorCodes.InvalidRequest, "options.temperature")]
    [InlineData("""{"temperature":"NaN"}""", ApiErrorCodes.InvalidRequest, "options.temperature")]
    [InlineData("""{"topP":"Infinity"}""", ApiErrorCodes.InvalidRequest, "options.topP")]
    [InlineData("""{"temperature":"-Infinity"}""", ApiErrorCodes.InvalidRequest, "options.temperature")]
    [InlineData("""{"maxTokens":99999999999}""", ApiErrorCodes.InvalidJson, "options.maxTokens")]
    [InlineData("""{"stop":[""]}""", ApiErrorCodes.InvalidRequest, "options.stop")]
    public async Task Unbounded_options_are_refused_at_submission_naming_the_field_and_nothing_is_written(string options, string code, string field)
    {
        string jobId = "unbounded-" + Math.Abs(options.GetHashCode(StringComparison.Ordinal));
        string body = $$$"""{"jobId":"{{{jobId}}}","image":"{{{app.Images.Name}}}/x.png","questions":["?"],"options":{{{options}}}}""";

        ContentResult problem = Assert.IsType<ContentResult>(await new JobsHttp(app.Submission, app.Jobs).SubmitAsync(Request(body), CancellationToken.None));

        Assert.Equal(400, problem.StatusCode);
        Assert.Equal(code, Code(problem));
        Assert.Contains(field, problem.Content, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(jobId);
    }

    [Fact]
    public async Task A_job_at_the_queue_s_encoded_limit_is_accepted_by_the_queue_and_one_byte_more_is_refused_with_413()
    {
        string atLimit = JobOfEncodedSize("at-limit", JobQueueMessage.MaxEncodedBytes);
        string overLimit = JobOfEncodedSize("over-limit", JobQueueMessage.MaxEncodedBytes + 1);
        JobsHttp http = new(app.Submission, app.Jobs);

        Assert.IsType<AcceptedResult>(await http.SubmitAsync(Request(atLimit), CancellationToken.None));
        ContentResult problem = Assert.IsType<ContentResult>(await http.SubmitAsync(Request(overLimit), CancellationToken.None));

        Assert.Equal(413, problem.StatusCode);
        Assert.Equal(ApiErrorCodes.RequestTooLarge, Code(problem));
        Assert.Contains(JobQueueMessage.MaxEncodedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Content, StringComparison.Ordinal);
        await AssertNothingWrittenAsync("over-limit");
        // The queue really holds the largest job accepted: the limit is the queue's, not a guess.
        Assert.Contains(await QueuedJobIdsAsync(), queued => queued == "at-limit");
    }

    [Fact]
    public async Task The_queue_refuses_a_message_one_base64_block_over_the_limit_so_the_limit_is_the_queue_s()
    {
        string encoded = new('A', JobQueueMessage.MaxEncodedBytes + 4);

        RequestFailedException error = await Assert.ThrowsAsync<RequestFailedException>(() => app.Storage.Queues.GetQueueClient(app.Options.JobsQueue).SendMessageAsync(BinaryData.FromBytes(Convert.FromBase64String(encoded))));

        Assert.Equal(413, error.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_refused_with_413_whether_or_not_it_declares_its_length(bool declared)
    {
        string body = $$$"""{"jobId":"too-big","image":"{{{app.Images.Name}}}/x.png","questions":["{{{new string('a', JobsHttp.MaxBodyBytes)}}}"]}""";
        HttpRequest request = Request(body);
        if (!declared)
        {
            // As a chunked body arrives: no Content-Length, and a stream that cannot tell its length.
            request.ContentLength = null;
            request.Body = new UnseekableStream(Encoding.UTF8.GetBytes(body));
        }

        ContentResult problem = Assert.IsType<ContentResult>(await new JobsHttp(app.Submission, app.Jobs).SubmitAsync(request, CancellationToken.None));

        Assert.Equal(413, problem.StatusCode);
        Assert.Equal(ApiErrorCodes.RequestTooLarge, Code(problem));
        await AssertNothingWrittenAsync("too-big");
    }

    [Fact]
    public async Task A_failed_enqueue_leaves_no_queued_document_behind()
    {
        JobSubmission broken = new(app.Storage, app.Jobs, app.Options with { JobsQueue = "no-such-queue-" + Guid.NewGuid().ToString("N")[..8] });

        await Assert.ThrowsAsync<RequestFailedException>(() => broken.SubmitAsync(new VqaJobMessage { JobId = "orphan", Image = $"{app.Images.Name}/x.png", Questions = ["?"] }, CancellationToken.None));

        Assert.Null(await app.Jobs.GetAsync("orphan", CancellationToken.None));
    }

    [Fact]
    public async Task Resubmitting_a_job_id_returns_the_job_as_it_stands_without_a_second_message()
    {
        VqaJobMessage job = new() { JobId = "twice", Image = $"{app.Images.Name}/x.png", Questions = ["?"] };
        await app.Submission.SubmitAsync(job, CancellationToken.None);
        int before = (await app.JobsQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        VqaJobResult again = await app.Submission.SubmitAsync(job, CancellationToken.None);

        Assert.Equal(VqaJobResult.Queued, again.Status);
        Assert.Equal(before, (await app.JobsQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task An_unknown_job_is_404_with_a_problem_code()
    {
        ContentResult problem = Assert.IsType<ContentResult>(await new JobsHttp(app.Submission, app.Jobs).GetAsync(new DefaultHttpContext().Request, "never-submitted", CancellationToken.None));

        Assert.Equal(404, problem.StatusCode);
        Assert.Equal(ApiErrorCodes.NotFound, Code(problem));
    }

    /// <summary>A job whose queue message is <paramref name="encodedBytes"/> long after base64, rounded up to a whole 4-character block.</summary>
    private string JobOfEncodedSize(string jobId, long encodedBytes)
    {
        VqaJobMessage Job(int last) => new()
        {
            JobId = jobId,
            Image = $"{app.Images.Name}/x.png",
            Questions = [.. Enumerable.Repeat(new string('q', VqaJobValidator.MaxQuestionLength), 12), new string('q', last)],
        };

        long targetBytes = (encodedBytes * 3 + 3) / 4;
        long shortest = JobQueueMessage.From(Job(1)).Body.ToMemory().Length;
        VqaJobMessage job = Job(checked((int)(1 + targetBytes - shortest)));
        Assert.Equal(JobQueueMessage.EncodedLength(targetBytes), JobQueueMessage.From(job).EncodedBytes);
        return JsonSerializer.Serialize(job, JsonDocuments.CompactOptions);
    }

    private async Task<IReadOnlyList<string?>> QueuedJobIdsAsync()
    {
        PeekedMessage[] waiting = (await app.JobsQueue.PeekMessagesAsync(32)).Value;
        return [.. waiting.Select(m => JsonSerializer.Deserialize<VqaJobMessage>(m.MessageText, JsonDocuments.Options)!.JobId)];
    }

    private async Task AssertNothingWrittenAsync(string jobId)
    {
        Assert.Null(await app.Jobs.GetAsync(jobId, CancellationToken.None));
        PeekedMessage[] waiting = (await app.JobsQueue.PeekMessagesAsync(32)).Value;
        Assert.DoesNotContain(waiting, m => m.MessageText.Contains(jobId, StringComparison.Ordinal));
    }

    private static string? Code(ContentResult problem)
    {
        using JsonDocument json = JsonDocument.Parse(problem.Content!);
        return json.RootElement.GetProperty("code").GetString();
    }

    private static HttpRequest Request(string body)
    {
        DefaultHttpContext context = new();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        return context.Request;
    }
}
