namespace Llava.Serving.Http.Errors;

/// <summary>
/// The error catalogue: every error code of every surface, each declared once here with its one HTTP status
/// (<see cref="ApiErrorStatusAttribute"/>). The HTTP API answers with it (problem documents, OpenAI's envelope,
/// SSE <c>error</c> events), the Functions app's documents carry it, the CLI prints it with <c>--json</c> and
/// derives its exit code from the status, and it is the <c>outcome</c> tag of the request metric.
/// <see cref="ApiErrorCatalogue"/> reads it; docs/vocabulary.md lists it.
/// </summary>
public static class ApiErrorCodes
{
    /// <summary>A missing or malformed field, bad generation options (<c>param</c> names the field), no user message, a refused image URL.</summary>
    [ApiErrorStatus(400, "Invalid request")]
    public const string InvalidRequest = "invalid_request";

    /// <summary>The body is not JSON, or a string in it is not valid UTF-8 or holds a lone UTF-16 surrogate.</summary>
    [ApiErrorStatus(400, "Invalid JSON")]
    public const string InvalidJson = "invalid_json";

    /// <summary>The image is truncated or damaged, or not valid base64.</summary>
    [ApiErrorStatus(400, "Invalid image")]
    public const string InvalidImage = "invalid_image";

    /// <summary>The image has no bytes.</summary>
    [ApiErrorStatus(400, "Empty image")]
    public const string EmptyImage = "empty_image";

    /// <summary>Prompt plus requested tokens exceed the model's context, or the prompt is longer than the memory budget allows with its images (the numbers are in the problem document).</summary>
    [ApiErrorStatus(400, "Prompt too long")]
    public const string PromptTooLong = "prompt_too_long";

    /// <summary>More images than one request may carry (<c>value</c> and <c>maximum</c> in the problem document).</summary>
    [ApiErrorStatus(400, "Too many images")]
    public const string TooManyImages = "too_many_images";

    /// <summary>The request's estimated memory (an image's pixels, or the request as a whole) exceeds the replica's memory budget; <c>param</c> names the limit.</summary>
    [ApiErrorStatus(413, "Request over the memory budget")]
    public const string RequestOverBudget = "request_over_budget";

    /// <summary>An image reference the server will not or cannot fetch.</summary>
    [ApiErrorStatus(400, "Image reference refused")]
    public const string ImageReferenceRefused = "image_reference_refused";

    /// <summary>An image reference (a blob, or a file for the CLI) to something that does not exist.</summary>
    [ApiErrorStatus(400, "Image not found")]
    public const string ImageReferenceNotFound = "image_reference_not_found";

    /// <summary><c>GET /v1/models/{id}</c> names a model this server does not serve (OpenAI's code).</summary>
    [ApiErrorStatus(404, "Model not found")]
    public const string ModelNotFound = "model_not_found";

    // Request limits of HttpApiOptions, checked at the edge before any decoding or tokenization (param names the field).

    /// <summary>More messages than <c>HttpApiOptions.MaxMessages</c>.</summary>
    [ApiErrorStatus(400, "Too many messages")]
    public const string TooManyMessages = "too_many_messages";

    /// <summary>More content parts in all messages together than <c>HttpApiOptions.MaxContentParts</c>.</summary>
    [ApiErrorStatus(400, "Too many content parts")]
    public const string TooManyContentParts = "too_many_content_parts";

    /// <summary>More prompt text (characters, all messages together) than <c>HttpApiOptions.MaxPromptChars</c>.</summary>
    [ApiErrorStatus(400, "Prompt text too long")]
    public const string PromptTextTooLong = "prompt_text_too_long";

    /// <summary>No such job (the Functions app's <c>GET /api/jobs/{id}</c>).</summary>
    [ApiErrorStatus(404, "Not found")]
    public const string NotFound = "not_found";

    /// <summary>The API key is missing or wrong (OpenAI's code for the same thing).</summary>
    [ApiErrorStatus(401, "Unauthorized")]
    public const string InvalidApiKey = "invalid_api_key";

    /// <summary>The request body is over the limit.</summary>
    [ApiErrorStatus(413, "Request too large")]
    public const string RequestTooLarge = "request_too_large";

    /// <summary>The image is over the encoded-size or pixel limits.</summary>
    [ApiErrorStatus(413, "Image too large")]
    public const string ImageTooLarge = "image_too_large";

    /// <summary>The image is not JPEG, PNG, WebP, BMP or GIF.</summary>
    [ApiErrorStatus(415, "Unsupported image format")]
    public const string UnsupportedImage = "unsupported_image";

    /// <summary>The request's content type is not one the endpoint reads.</summary>
    [ApiErrorStatus(415, "Unsupported media type")]
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>Every generation slot and queue place is taken.</summary>
    [ApiErrorStatus(503, "Busy")]
    public const string EngineBusy = "engine_busy";

    /// <summary>The model is still loading.</summary>
    [ApiErrorStatus(503, "Model loading")]
    public const string ModelLoading = "model_loading";

    /// <summary>The model failed to load (health says why).</summary>
    [ApiErrorStatus(503, "Model failed to load")]
    public const string ModelFailed = "model_failed";

    /// <summary>Storage did not answer for an image reference.</summary>
    [ApiErrorStatus(503, "Image storage unavailable")]
    public const string ImageReferenceUnavailable = "image_reference_unavailable";

    /// <summary>A bug; logged with its stack, not shown.</summary>
    [ApiErrorStatus(500, "Internal server error")]
    public const string InternalError = "internal_error";

    /// <summary>
    /// Never an HTTP answer (its status only says "server side"): the Functions app's document for a queued job or an upload that failed on every delivery
    /// (transient failures or a bug); the message or event is then in the poison queue or container.
    /// </summary>
    [ApiErrorStatus(500, "Retries exhausted")]
    public const string RetriesExhausted = "retries_exhausted";
}
