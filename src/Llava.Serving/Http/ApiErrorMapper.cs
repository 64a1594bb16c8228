using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Contracts;
using Microsoft.AspNetCore.Http;

namespace Llava.Serving.Http;

/// <summary>
/// The one place where failures become HTTP errors: <see cref="Map"/> decides status, code and message for every
/// exception the engine, the model host, an image resolver or the request parsing raises; the writers put it on
/// the wire as an RFC 7807 problem document or, for the OpenAI-compatible endpoint, as OpenAI's error envelope.
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
            HttpApiException e => new ApiError(e.StatusCode, e.Code, TitleFor(e.StatusCode), e.Message) { Param = e.Param },
            ImageRejectedException e => e.Reason switch
            {
                ImageRejectionReason.TooLarge => new ApiError(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.ImageTooLarge, "Image too large", e.Message),
                ImageRejectionReason.Unsupported => new ApiError(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.UnsupportedImage, "Unsupported image format", e.Message),
                ImageRejectionReason.Empty => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.EmptyImage, "Empty image", e.Message),
                _ => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidImage, "Invalid image", e.Message),
            },
            PromptTooLongException e => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.PromptTooLong, "Prompt too long", e.Message)
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
                RequestLimit.Images => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.TooManyImages, "Too many images", e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
                RequestLimit.PromptTokens => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.PromptTooLong, "Prompt too long", e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
                _ => new ApiError(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.RequestOverBudget, "Request over the memory budget", e.Message) { Param = e.Limit, Numbers = LimitNumbers(e) },
            },
            InvalidParameterException e => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidRequest, "Invalid request", e.Message) { Param = e.Parameter },
            InvalidPromptException e => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidRequest, "Invalid request", e.Message),
            EngineBusyException e => new ApiError(StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.EngineBusy, "Busy", e.Message) { RetryAfter = e.RetryAfter },
            ModelNotReadyException e => e.State == ModelState.Failed
                ? new ApiError(StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ModelFailed, "Model failed to load", e.Message) { RetryAfter = e.RetryAfter }
                : new ApiError(StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ModelLoading, "Model loading", e.Message) { RetryAfter = e.RetryAfter },
            ImageReferenceException e => e.Failure switch
            {
                ImageReferenceFailure.NotFound => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.ImageReferenceNotFound, "Image not found", e.Message),
                ImageReferenceFailure.TooLarge => new ApiError(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.ImageTooLarge, "Image too large", e.Message),
                ImageReferenceFailure.Unavailable => new ApiError(StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ImageReferenceUnavailable, "Image storage unavailable", e.Message) { RetryAfter = e.RetryAfter },
                _ => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.ImageReferenceRefused, "Image reference refused", e.Message),
            },
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ApiError(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.RequestTooLarge, "Request too large", "The request body is larger than this server accepts."),
            BadHttpRequestException e => new ApiError(e.StatusCode, ApiErrorCodes.InvalidRequest, TitleFor(e.StatusCode), e.Message),
            JsonException e => new ApiError(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidJson, "Invalid JSON", "The request body is not valid JSON: " + e.Message),
            _ => new ApiError(StatusCodes.Status500InternalServerError, ApiErrorCodes.InternalError, "Internal server error", "The server failed to answer this request; the error was logged."),
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

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status503ServiceUnavailable => "Service unavailable",
        _ => "Error",
    };
}
