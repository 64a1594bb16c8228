namespace Llava.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something unexpected failed (a bug, a disk error, the network).</summary>
    public const int Failure = 1;

    /// <summary>
    /// The input was refused: bad usage, a bad checkpoint, a missing file, an unknown family, an image that
    /// cannot be read (the other images of the command are still processed).
    /// </summary>
    public const int InvalidInput = 2;

    /// <summary>
    /// No usable model: none configured, the folder is missing or fails validation, or (download) the repository
    /// does not exist or needs a token.
    /// </summary>
    public const int ModelUnavailable = 3;

    /// <summary>Interrupted by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
