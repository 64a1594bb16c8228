namespace Llava.Serving.Http;

/// <summary>The <c>code</c> of every error the HTTP API returns (also the <c>outcome</c> tag of the request metric).</summary>
public static class ApiErrorCodes
{
    /// <summary>400: a missing or malformed field, bad generation options, no user message, a refused image URL.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>400: the body is not JSON.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>400: the image is truncated or damaged, or not valid base64.</summary>
    public const string InvalidImage = "invalid_image";

    /// <summary>400: the image has no bytes.</summary>
    public const string EmptyImage = "empty_image";

    /// <summary>400: prompt plus requested tokens exceed the model's context (the numbers are in the problem document).</summary>
    public const string PromptTooLong = "prompt_too_long";

    /// <summary>400: an image reference the server will not or cannot fetch.</summary>
    public const string ImageReferenceRefused = "image_reference_refused";

    /// <summary>400: an image reference to something that does not exist.</summary>
    public const string ImageReferenceNotFound = "image_reference_not_found";

    /// <summary>404: <c>GET /v1/models/{id}</c> names a model this server does not serve (OpenAI's code).</summary>
    public const string ModelNotFound = "model_not_found";

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
}
