using System.Text.Json.Serialization;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Results;

/// <summary>
/// Why a document of ours has no answer (a caption or job document, a CLI <c>--json</c> line): a code of the
/// catalogue (<see cref="ApiErrorCodes"/>) and a message for people.
/// </summary>
public sealed record DocumentError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message)
{
    public static DocumentError From(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.Code, error.Detail);
    }
}
