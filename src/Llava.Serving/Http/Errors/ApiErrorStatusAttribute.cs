namespace Llava.Serving.Http.Errors;

/// <summary>Declares the HTTP status and problem title of one <see cref="ApiErrorCodes"/> code, next to the code.</summary>
/// <param name="status">The one HTTP status every surface derives from the code.</param>
/// <param name="title">The problem document's <c>title</c>: a short summary of the kind of error.</param>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
public sealed class ApiErrorStatusAttribute(int status, string title) : Attribute
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
