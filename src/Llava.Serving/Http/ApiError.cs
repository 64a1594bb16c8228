namespace Llava.Serving.Http;

/// <summary>An error as the HTTP API reports it, before it is written as a problem document or an OpenAI error.</summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="Code">One of <see cref="ApiErrorCodes"/>.</param>
/// <param name="Title">A short summary of the kind of error.</param>
/// <param name="Detail">What went wrong with this request, safe to show to the client.</param>
public sealed record ApiError(int Status, string Code, string Title, string Detail)
{
    /// <summary>Sent as the <c>Retry-After</c> header (whole seconds, at least 1) with 503s.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra numbers for the client (for a prompt that is too long: its token counts and the context length).</summary>
    public IReadOnlyDictionary<string, long> Numbers { get; init; } = new Dictionary<string, long>();

    /// <summary>The request field or limit the error is about (OpenAI's <c>param</c>; <c>param</c> in the problem document too).</summary>
    public string? Param { get; init; }

    /// <summary>The Retry-After value in whole seconds, rounded up, at least 1.</summary>
    public int? RetryAfterSeconds => RetryAfter is { } wait ? (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds)) : null;
}
