namespace Llava.Serving.Http.Errors;

/// <summary>One entry of the error catalogue: a code of <see cref="ApiErrorCodes"/>, its HTTP status and its title.</summary>
public sealed record ApiErrorDefinition(string Code, int Status, string Title);
