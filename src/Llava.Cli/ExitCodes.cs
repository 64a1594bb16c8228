using Llava.Serving.Http.Errors;


namespace Llava.Cli;

/// <summary>Exit codes scripts can rely on; for an error of the catalogue, derived from its status (<see cref="For"/>).</summary>
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

    /// <summary>
    /// The exit code of an error of the catalogue (<see cref="ApiErrorCodes"/>), from its one HTTP status: every 4xx
    /// is the caller's input (2), <c>model_loading</c> and <c>model_failed</c> say there is no usable model (3), and
    /// any other 5xx is a failure (1).
    /// </summary>
    public static int For(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Status switch
        {
            >= 400 and < 500 => InvalidInput,
            _ when error.Code is ApiErrorCodes.ModelLoading or ApiErrorCodes.ModelFailed => ModelUnavailable,
            _ => Failure,
        };
    }
}
