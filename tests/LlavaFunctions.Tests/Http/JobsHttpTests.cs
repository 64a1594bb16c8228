using System.Text;
using System.Text.Json;
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
        Azure.Storage.Queues.Models.QueueMessage message = (await app.JobsQueue.ReceiveMessageAsync()).Value;
        VqaJobMessage? queued = JsonSerializer.Deserialize<VqaJobMessage>(message.MessageText, JsonDocuments.Options);
        Assert.Equal(id, queued!.JobId);
        JsonResult status = Assert.IsType<JsonResult>(await http.GetAsync(new DefaultHttpContext().Request, id, CancellationToken.None));
        Assert.Equal(VqaJobResult.Queued, Assert.IsType<VqaJobResult>(status.Value).Status);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"questions":["?"]}""")]
    public async Task A_bad_job_is_refused_with_a_problem_document(string body)
    {
        IActionResult result = await new JobsHttp(app.Submission, app.Jobs).SubmitAsync(Request(body), CancellationToken.None);

        ObjectResult problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(400, problem.StatusCode);
        Assert.IsType<ProblemDetails>(problem.Value);
    }

    [Fact]
    public async Task An_unknown_job_is_404()
    {
        ObjectResult problem = Assert.IsType<ObjectResult>(await new JobsHttp(app.Submission, app.Jobs).GetAsync(new DefaultHttpContext().Request, "never-submitted", CancellationToken.None));

        Assert.Equal(404, problem.StatusCode);
    }

    private static HttpRequest Request(string body)
    {
        DefaultHttpContext context = new();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context.Request;
    }
}
