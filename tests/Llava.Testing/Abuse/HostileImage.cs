namespace Llava.Testing.Abuse;

/// <summary>One file of the hostile-image corpus (tests/fixtures/hostile-images/manifest.json).</summary>
/// <param name="File">The file name, relative to the corpus folder.</param>
/// <param name="Class">What kind of attack or damage it is (for reports).</param>
/// <param name="Expect">accepted, corrupt, unsupported, too_large or empty.</param>
/// <param name="Path">Full path of the file.</param>
public sealed record HostileImage(string File, string Class, string Expect, string Path)
{
    /// <summary>The status and error code the HTTP API must answer for this file (200 and null when accepted).</summary>
    public (int Status, string? Code) ExpectedAnswer => Expect switch
    {
        "accepted" => (200, null),
        "corrupt" => (400, "invalid_image"),
        "unsupported" => (415, "unsupported_image"),
        "too_large" => (413, "image_too_large"),
        "empty" => (400, "empty_image"),
        _ => throw new InvalidOperationException($"{File}: unknown expectation '{Expect}' in the corpus manifest."),
    };
}
