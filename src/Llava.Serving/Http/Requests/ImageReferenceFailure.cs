namespace Llava.Serving.Http.Requests;

/// <summary>Why an <see cref="IImageReferenceResolver"/> could not give an image; each maps to one HTTP status.</summary>
public enum ImageReferenceFailure
{
    /// <summary>Not in the app's own storage, or not a reference this host understands (400).</summary>
    NotAllowed,

    /// <summary>Allowed, but nothing is there (400: the request names something that does not exist).</summary>
    NotFound,

    /// <summary>Larger than the engine accepts (413).</summary>
    TooLarge,

    /// <summary>Storage failed or timed out; retrying may help (503 with Retry-After).</summary>
    Unavailable,
}
