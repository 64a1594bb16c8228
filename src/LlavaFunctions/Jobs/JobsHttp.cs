using System.Text;
using System.Text.Json;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlavaFunctions.Jobs;

/// <summary>
/// <c>POST /api/jobs</c> enqueues a VQA job; <c>GET /api/jobs/{id}</c> returns its status and result. Errors are the
/// HTTP API's problem documents, with its codes (<see cref="ApiErrorCodes"/>).
/// </summary>
public sealed class JobsHttp(JobSubmission submission, JobService jobs)
{
    /// <summary>
    /// Largest job body read, counted as it is read (a chunked body has no Content-Length to trust). Whatever the
    /// body, the job must also fit in a queue message after base64 encoding (<see cref="JobQueueMessage.MaxEncodedBytes"/>).
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    [Function("SubmitJob")]
    public async Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            byte[] body = await ReadBodyAsync(request, cancellationToken);
            VqaJobMessage job = JsonSerializer.Deserialize<VqaJobMessage>(body, JsonDocuments.Options)
                ?? throw new HttpApiException(ApiErrorCodes.InvalidRequest, "The body must be a JSON job object.");
            VqaJobResult accepted = await submission.SubmitAsync(job, cancellationToken);
            string location = $"{request.PathBase}/api/jobs/{accepted.JobId}";
            return new AcceptedResult(location, new { jobId = accepted.JobId, status = accepted.Status, location });
        }
        catch (Exception ex) when (ex is HttpApiException or JsonException)
        {
            return Problem(ApiErrorMapper.Map(ex), request);
        }
    }

    [Function("GetJob")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!VqaJobValidator.IsValidJobId(id))
        {
            return Problem(new ApiError(ApiErrorCodes.InvalidRequest, "Job ids are 1-64 letters, digits, '-' or '_'."), request);
        }

        VqaJobResult? result = await jobs.GetAsync(id, cancellationToken);
        return result is null
            ? Problem(new ApiError(ApiErrorCodes.NotFound, $"There is no job '{id}'."), request)
            : new JsonResult(result, JsonDocuments.Options);
    }

    /// <summary>The body, refused with 413 as soon as more than <see cref="MaxBodyBytes"/> has been read, whatever Content-Length says.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using MemoryStream buffer = new();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static HttpApiException TooLarge() =>
        new(ApiErrorCodes.RequestTooLarge, $"A job body is at most {MaxBodyBytes} bytes; images are referenced by blob, not embedded.");

    private static ContentResult Problem(ApiError error, HttpRequest request) => new()
    {
        StatusCode = error.Status,
        ContentType = ApiErrorMapper.ProblemContentType,
        Content = ProblemText(error, request),
    };

    private static string ProblemText(ApiError error, HttpRequest request) => Encoding.UTF8.GetString(ApiErrorMapper.ProblemJson(error, request.Path));
}
