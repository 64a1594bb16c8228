using System.Text.Json.Serialization;

namespace Llava.Testing.HostileImages;

/// <summary>One row of <c>manifest.json</c>; <see cref="Pillow"/> is Pillow 9.4's verdict ("accepted"/"refused"), null where unknown.</summary>
public sealed record HostileImageManifestEntry(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("expect")] string Expect,
    [property: JsonPropertyName("pillow")] string? Pillow);
