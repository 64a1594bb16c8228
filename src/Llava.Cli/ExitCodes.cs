namespace Llava.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something unexpected failed (a bug, a disk error).</summary>
    public const int Failure = 1;

    /// <summary>The input was refused: a bad checkpoint, a missing file, an unknown family.</summary>
    public const int InvalidInput = 2;

    /// <summary>Interrupted by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
