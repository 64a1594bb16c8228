using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Errors;

/// <summary>OpenAI's error object: <c>type</c> is <c>invalid_request_error</c> for 4xx and <c>server_error</c> for 5xx; <c>code</c> is this API's error code.</summary>
public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string Code);
