namespace Llava.Testing.HostileImages;

/// <summary>
/// The outcome names of <c>tests/fixtures/hostile-images/manifest.json</c>'s <c>expect</c> field. They are a contract
/// with every surface that runs the corpus: accepted is 200, corrupt is invalid_image (400), unsupported is
/// unsupported_image (415), too_large is image_too_large (413), empty is empty_image (400).
/// </summary>
public static class HostileImageOutcome
{
    public const string Accepted = "accepted";

    public const string Corrupt = "corrupt";

    public const string Unsupported = "unsupported";

    public const string TooLarge = "too_large";

    public const string Empty = "empty";
}
