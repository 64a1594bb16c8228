using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Jobs;

/// <summary><c>POST /api/jobs</c> enqueues a VQA job; <c>GET /api/jobs/{id}</c> returns its status and result.</summary>
public sealed class JobsHttp(JobSubmission submission, JobService jobs)
{
    private const long MaxBodyBytes = 64 * 1024;

    [Function("SubmitJob")]
    public async Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Job too large", $"A job message is at most {MaxBodyBytes} bytes; images are referenced by blob, not embedded.");
        }

        VqaJobMessage? job;
        try
        {
            job = await JsonSerializer.DeserializeAsync<VqaJobMessage>(request.Body, JsonDocuments.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed job", ex.Message);
        }

        if (job is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed job", "The body is empty.");
        }

        (VqaJobResult? accepted, IReadOnlyList<string> problems) = await submission.SubmitAsync(job, cancellationToken);
        if (accepted is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid job", string.Join(" ", problems));
        }

        string location = $"{request.PathBase}/api/jobs/{accepted.JobId}";
        return new AcceptedResult(location, new { jobId = accepted.JobId, status = accepted.Status, location });
    }

    [Function("GetJob")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!VqaJobValidator.IsValidJobId(id))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid job id", "Job ids are 1-64 letters, digits, '-' or '_'.");
        }

        VqaJobResult? result = await jobs.GetAsync(id, cancellationToken);
        return result is null
            ? Problem(StatusCodes.Status404NotFound, "No such job", $"There is no job '{id}'.")
            : new JsonResult(result, JsonDocuments.Options);
    }

    private static ObjectResult Problem(int status, string title, string detail) => new(new ProblemDetails { Status = status, Title = title, Detail = detail })
    {
        StatusCode = status,
        ContentTypes = { "application/problem+json" },
    };
}
