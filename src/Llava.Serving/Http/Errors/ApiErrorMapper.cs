using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Requests;
using Llava.Serving.Http.Responses;
using Microsoft.AspNetCore.Http;

namespace Llava.Serving.Http.Errors;

/// <summary>
/// The one place where failures become errors: <see cref="Map"/> decides the code (and so the status, from the
/// catalogue) and message for every exception the engine, the model host, an image resolver or the request parsing
/// raises, for every surface (HTTP, the Functions app's documents, the CLI); the writers put it on the wire as an
/// RFC 7807 problem document or, for the OpenAI-compatible endpoint, as OpenAI's error envelope.
/// </summary>
public static class ApiErrorMapper
{
    public const string ProblemContentType = "application/problem+json";

    /// <summary>The error a client sees for an exception. Anything unexpected is a 500 whose message hides the details.</summary>
    public static ApiError Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            HttpApiException e => new ApiError(e.Code, e.Message) { Param = e.Param },
            ImageRejectedException e => e.Reason switch
            {
                ImageRejectionReason.TooLarge => new ApiError(ApiErrorCodes.ImageTooLarge, e.Message),
                ImageRejectionReason.Unsupported => new ApiError(ApiErrorCodes.UnsupportedImage, e.Message),
                ImageRejectionReason.Empty => new ApiError(ApiErrorCodes.EmptyImage, e.Message),
                _ => new ApiError(ApiErrorCodes.InvalidImage, e.Message),
            },
            PromptTooLongException e => new ApiError(ApiErrorCodes.PromptTooLong, e.Message)
            {
                Numbers = new Dictionary<string, long>
                {
                    ["promptTokens"] = e.PromptTokens,
                    ["imageTokens"] = e.ImageTokens,
                    ["maxNewTokens"] = e.MaxNewTokens,
                    ["contextLength"] = e.ContextLength,
                },
            },
            RequestOverBudgetException e => e.Limit switch
            {
                RequestLimit.Images => new ApiError(ApiErrorCodes.TooManyImages, e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
                RequestLimit.PromptTokens => new ApiError(ApiErrorCodes.PromptTooLong, e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
                _ => new ApiError(ApiErrorCodes.RequestOverBudget, e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
            },
            InvalidParameterException e => new ApiError(ApiErrorCodes.InvalidRequest, e.Message) { Param = e.Parameter },
            InvalidPromptException e => new ApiError(ApiErrorCodes.InvalidRequest, e.Message),
            EngineBusyException e => new ApiError(ApiErrorCodes.EngineBusy, e.Message) { RetryAfter = e.RetryAfter },
            ModelNotReadyException e => new ApiError(e.State == ModelState.Failed ? ApiErrorCodes.ModelFailed : ApiErrorCodes.ModelLoading, e.Message) { RetryAfter = e.RetryAfter },
            ModelLoadException e => new ApiError(ApiErrorCodes.ModelFailed, e.Message),
            ImageReferenceException e => e.Failure switch
            {
                ImageReferenceFailure.NotFound => new ApiError(ApiErrorCodes.ImageReferenceNotFound, e.Message),
                ImageReferenceFailure.TooLarge => new ApiError(ApiErrorCodes.ImageTooLarge, e.Message),
                ImageReferenceFailure.Unavailable => new ApiError(ApiErrorCodes.ImageReferenceUnavailable, e.Message) { RetryAfter = e.RetryAfter },
                _ => new ApiError(ApiErrorCodes.ImageReferenceRefused, e.Message),
            },
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ApiError(ApiErrorCodes.RequestTooLarge, "The request body is larger than this server accepts."),
            // Kestrel's other refusals (malformed framing, headers too large, a body too slow) are the client's request.
            BadHttpRequestException e => new ApiError(ApiErrorCodes.InvalidRequest, e.Message),
            JsonException e => new ApiError(ApiErrorCodes.InvalidJson, "The request body is not valid JSON: " + e.Message),
            _ => new ApiError(ApiErrorCodes.InternalError, "The server failed to answer this request; the error was logged."),
        };
    }

    /// <summary>Writes <paramref name="error"/> as <c>application/problem+json</c> (with Retry-After where it has one).</summary>
    public static async Task WriteProblemAsync(HttpContext context, ApiError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        PrepareResponse(context.Response, error);
        context.Response.ContentType = ProblemContentType;
        await context.Response.Body.WriteAsync(ProblemJson(error, context.Request.Path), cancellationToken);
    }

    /// <summary>Writes <paramref name="error"/> in OpenAI's envelope, <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static async Task WriteOpenAiErrorAsync(HttpContext context, ApiError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        PrepareResponse(context.Response, error);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(OpenAiErrorJson(error), cancellationToken);
    }

    /// <summary>The RFC 7807 document: type, title, status, detail, instance, plus code, param, retryAfterSeconds, traceId and any numbers.</summary>
    public static byte[] ProblemJson(ApiError error, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        using MemoryStream buffer = new();
        using (Utf8JsonWriter json = new(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "urn:llava:problem:" + error.Code);
            json.WriteString("title", error.Title);
            json.WriteNumber("status", error.Status);
            json.WriteString("detail", error.Detail);
            if (!string.IsNullOrEmpty(instance))
            {
                json.WriteString("instance", instance);
            }

            json.WriteString("code", error.Code);
            if (error.Param is not null)
            {
                json.WriteString("param", error.Param);
            }

            if (error.RetryAfterSeconds is int retry)
            {
                json.WriteNumber("retryAfterSeconds", retry);
            }

            foreach (KeyValuePair<string, long> number in error.Numbers)
            {
                json.WriteNumber(number.Key, number.Value);
            }

            if (Activity.Current is { } activity)
            {
                json.WriteString("traceId", activity.TraceId.ToHexString());
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>OpenAI's error envelope for <paramref name="error"/>.</summary>
    public static byte[] OpenAiErrorJson(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string type = error.Status >= 500 ? "server_error" : "invalid_request_error";
        return JsonSerializer.SerializeToUtf8Bytes(new OpenAiErrorEnvelope(new OpenAiError(error.Detail, type, error.Param, error.Code)), HttpApiJsonContext.Default.OpenAiErrorEnvelope);
    }

    private static Dictionary<string, long> LimitNumbers(RequestOverBudgetException e) => new()
    {
        ["value"] = e.Value,
        ["maximum"] = e.Maximum,
    };

    private static void PrepareResponse(HttpResponse response, ApiError error)
    {
        response.StatusCode = error.Status;
        response.Headers.CacheControl = "no-store";
        if (error.RetryAfterSeconds is int retry)
        {
            response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }
    }
}
