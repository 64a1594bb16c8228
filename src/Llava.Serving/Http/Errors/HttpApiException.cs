using Llava.Serving.Http.Hosting;

namespace Llava.Serving.Http.Errors;

/// <summary>A request refused by the HTTP layer itself (malformed body, wrong content type, over the size limit).</summary>
public sealed class HttpApiException : Exception
{
    /// <param name="code">One of <see cref="ApiErrorCodes"/>; its status is the catalogue's.</param>
    /// <param name="message">What is wrong with the request, for the client.</param>
    public HttpApiException(string code, string message)
        : base(message)
    {
        Code = ApiErrorCatalogue.Get(code).Code;
    }

    public HttpApiException()
    {
    }

    public HttpApiException(string message)
        : base(message)
    {
    }

    public HttpApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The request field at fault (see <see cref="ApiError.Param"/>), or null.</summary>
    public string? Param { get; init; }

    public int StatusCode => ApiErrorCatalogue.Get(Code).Status;

    /// <summary>The error code the client sees (see <see cref="ApiErrorCodes"/>).</summary>
    public string Code { get; } = ApiErrorCodes.InvalidRequest;

    internal static HttpApiException BadRequest(string message) => new(ApiErrorCodes.InvalidRequest, message);

    /// <summary>A 400 <c>invalid_request</c> about one field, which the error names in <c>param</c>.</summary>
    internal static HttpApiException InvalidField(string param, string message) =>
        new(ApiErrorCodes.InvalidRequest, message) { Param = param };

    /// <summary>A 400 for a request over one of <see cref="HttpApiOptions"/>' request limits (its own code, the field in <c>param</c>).</summary>
    internal static HttpApiException OverLimit(string code, string param, string message) =>
        new(code, message) { Param = param };

    /// <summary>A 400 <c>invalid_json</c>: the body is not well-formed JSON or not valid UTF-8/UTF-16 text.</summary>
    internal static HttpApiException InvalidJson(string message) => new(ApiErrorCodes.InvalidJson, message);

    internal static HttpApiException TooLarge(long limit) =>
        new(ApiErrorCodes.RequestTooLarge, $"The request body is larger than this server accepts ({limit} bytes).");
}
