using System.Text.Json.Serialization;

namespace Llava.ModelFormat;

/// <summary>One file of the model folder with its size and SHA-256, checked by the runtime on load.</summary>
public sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256);
