using System.Text.Json.Serialization;
using Llava.Serving.Results;

namespace Llava.Cli.Running;

/// <summary>One <c>--json</c> line for a refused input, in the answer's place: the image and the catalogue's code and message.</summary>
internal sealed record JsonError(
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("error")] DocumentError Error);
