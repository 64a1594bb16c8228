using Microsoft.AspNetCore.Http;

namespace Llava.Serving.Http;

/// <summary>A request refused by the HTTP layer itself (malformed body, wrong content type, over the size limit).</summary>
public sealed class HttpApiException : Exception
{
    public HttpApiException(int statusCode, string code, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
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

    public int StatusCode { get; } = StatusCodes.Status400BadRequest;

    /// <summary>The error code the client sees (see <see cref="ApiErrorCodes"/>).</summary>
    public string Code { get; } = ApiErrorCodes.InvalidRequest;

    internal static HttpApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidRequest, message);

    internal static HttpApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.RequestTooLarge, $"The request body is larger than this server accepts ({limit} bytes).");
}
