namespace Llava.Serving.Http.Errors;

/// <summary>
/// An error as every surface reports it, before it is written as a problem document, an OpenAI error, a document
/// error or a CLI line. Its status and title are the catalogue's for its code (<see cref="ApiErrorCatalogue"/>).
/// </summary>
/// <param name="Code">One of <see cref="ApiErrorCodes"/>.</param>
/// <param name="Detail">What went wrong with this request, safe to show to the client.</param>
public sealed record ApiError(string Code, string Detail)
{
    private readonly string _code = ApiErrorCatalogue.Get(Code).Code;

    /// <summary>One of <see cref="ApiErrorCodes"/>; any other code is refused, also through <c>with</c>.</summary>
    public string Code
    {
        get => _code;
        init => _code = ApiErrorCatalogue.Get(value).Code;
    }

    /// <summary>The code's one HTTP status.</summary>
    public int Status => ApiErrorCatalogue.Get(Code).Status;

    /// <summary>The code's short summary (the problem document's <c>title</c>).</summary>
    public string Title => ApiErrorCatalogue.Get(Code).Title;

    /// <summary>
    /// The request field the error is about (<c>temperature</c>, <c>messages[2].content[0].text</c>), or null: the
    /// problem document's <c>param</c> member and OpenAI's <c>error.param</c>.
    /// </summary>
    public string? Param { get; init; }

    /// <summary>Sent as the <c>Retry-After</c> header (whole seconds, at least 1) with 503s.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra numbers for the client (for a prompt that is too long: its token counts and the context length).</summary>
    public IReadOnlyDictionary<string, long> Numbers { get; init; } = new Dictionary<string, long>();

    /// <summary>The Retry-After value in whole seconds, rounded up, at least 1.</summary>
    public int? RetryAfterSeconds => RetryAfter is { } wait ? (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds)) : null;
}
