namespace Llava.Serving.Http;

/// <summary>The <c>code</c> of every error the HTTP API returns (also the <c>outcome</c> tag of the request metric).</summary>
public static class ApiErrorCodes
{
    /// <summary>400: a missing or malformed field, bad generation options (<c>param</c> names the field), no user message, a refused image URL.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>400: the body is not JSON, or a string in it is not valid UTF-8 or holds a lone UTF-16 surrogate.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>400: the image is truncated or damaged, or not valid base64.</summary>
    public const string InvalidImage = "invalid_image";

    /// <summary>400: the image has no bytes.</summary>
    public const string EmptyImage = "empty_image";

    /// <summary>400: prompt plus requested tokens exceed the model's context, or the prompt is longer than the memory budget allows with its images (the numbers are in the problem document).</summary>
    public const string PromptTooLong = "prompt_too_long";

    /// <summary>400: more images than one request may carry (<c>value</c> and <c>maximum</c> in the problem document).</summary>
    public const string TooManyImages = "too_many_images";

    /// <summary>413: the request's estimated memory (an image's pixels, or the request as a whole) exceeds the replica's memory budget; <c>param</c> names the limit.</summary>
    public const string RequestOverBudget = "request_over_budget";

    /// <summary>400: an image reference the server will not or cannot fetch.</summary>
    public const string ImageReferenceRefused = "image_reference_refused";

    /// <summary>400: an image reference to something that does not exist.</summary>
    public const string ImageReferenceNotFound = "image_reference_not_found";

    /// <summary>404: <c>GET /v1/models/{id}</c> names a model this server does not serve (OpenAI's code).</summary>
    public const string ModelNotFound = "model_not_found";

    // Request limits of HttpApiOptions, checked at the edge before any decoding or tokenization (param names the field).

    /// <summary>400: more messages than <c>HttpApiOptions.MaxMessages</c>.</summary>
    public const string TooManyMessages = "too_many_messages";

    /// <summary>400: more content parts in all messages together than <c>HttpApiOptions.MaxContentParts</c>.</summary>
    public const string TooManyContentParts = "too_many_content_parts";

    /// <summary>400: more prompt text (characters, all messages together) than <c>HttpApiOptions.MaxPromptChars</c>.</summary>
    public const string PromptTextTooLong = "prompt_text_too_long";

    /// <summary>404: no such job (the Functions app's <c>GET /api/jobs/{id}</c>).</summary>
    public const string NotFound = "not_found";

    /// <summary>401: the API key is missing or wrong (OpenAI's code for the same thing).</summary>
    public const string InvalidApiKey = "invalid_api_key";

    /// <summary>413: the request body is over the limit.</summary>
    public const string RequestTooLarge = "request_too_large";

    /// <summary>413: the image is over the encoded-size or pixel limits.</summary>
    public const string ImageTooLarge = "image_too_large";

    /// <summary>415: the image is not JPEG, PNG, WebP, BMP or GIF.</summary>
    public const string UnsupportedImage = "unsupported_image";

    /// <summary>415: the request's content type is not one the endpoint reads.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>503: every generation slot and queue place is taken.</summary>
    public const string EngineBusy = "engine_busy";

    /// <summary>503: the model is still loading.</summary>
    public const string ModelLoading = "model_loading";

    /// <summary>503: the model failed to load (health says why).</summary>
    public const string ModelFailed = "model_failed";

    /// <summary>503: storage did not answer for an image reference.</summary>
    public const string ImageReferenceUnavailable = "image_reference_unavailable";

    /// <summary>500: a bug; logged with its stack, not shown.</summary>
    public const string InternalError = "internal_error";

    /// <summary>
    /// Not an HTTP answer: the Functions app's document for a queued job or an upload that failed on every delivery
    /// (transient failures or a bug); the message or event is then in the poison queue or container.
    /// </summary>
    public const string RetriesExhausted = "retries_exhausted";
}
