namespace Llava.Serving.Http.Errors;

/// <summary>How an endpoint writes its errors.</summary>
internal enum ErrorFormat
{
    /// <summary>RFC 7807 <c>application/problem+json</c>.</summary>
    Problem,

    /// <summary>OpenAI's <c>{"error": {...}}</c>.</summary>
    OpenAi,
}
