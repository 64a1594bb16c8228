using Llava.Serving.Http.Errors;


namespace Llava.Cli.Running;

/// <summary>
/// An image file the CLI cannot read, in the catalogue's words: a path is the CLI's image reference, so a missing
/// file is <c>image_reference_not_found</c> and one it may not or cannot read is <c>image_reference_refused</c>;
/// what the image loader refuses is mapped as the HTTP API maps it.
/// </summary>
internal static class ImageFileErrors
{
    /// <summary>Whether <paramref name="exception"/> is a failure to read an image file that <see cref="Map"/> describes.</summary>
    public static bool IsReadFailure(Exception exception) => exception is IOException or UnauthorizedAccessException || IsRefusal(exception);

    /// <summary>Whether the catalogue says the caller's input is at fault (a 4xx code): a refusal, not a bug.</summary>
    public static bool IsRefusal(Exception exception) => exception is not OperationCanceledException && ApiErrorMapper.Map(exception).Status is >= 400 and < 500;

    public static ApiError Map(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => new ApiError(ApiErrorCodes.ImageReferenceNotFound, "no such file."),
        IOException or UnauthorizedAccessException => new ApiError(ApiErrorCodes.ImageReferenceRefused, exception.Message),
        _ => ApiErrorMapper.Map(exception),
    };
}
