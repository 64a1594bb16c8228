using Azure;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;

namespace LlavaFunctions.Failures;

/// <summary>
/// Sorts failures for the triggers with the HTTP API's own judgement (<see cref="ApiErrorMapper.Map"/>): what HTTP
/// answers with a 4xx is the caller's input and is permanent, a 503 is transient, and the rest is a bug. Storage
/// errors, which HTTP never sees from the engine, are transient. So a new typed failure mapped there is
/// classified here without a change, and documents carry the same codes as HTTP answers.
/// </summary>
public static class FailureClassifier
{
    public static FailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RequestFailedException or HttpRequestException or TimeoutException)
        {
            return FailureKind.Transient;
        }

        return ApiErrorMapper.Map(exception).Status switch
        {
            >= 400 and < 500 => FailureKind.Permanent,
            503 => FailureKind.Transient,
            _ => FailureKind.Unknown,
        };
    }

    /// <summary>The document error for a permanent failure: the HTTP API's code and message.</summary>
    public static DocumentError ToDocumentError(Exception exception)
    {
        return DocumentError.From(ApiErrorMapper.Map(exception));
    }

    /// <summary>The document error written on the last delivery, naming the last failure by its code only (bugs are not described to callers).</summary>
    public static DocumentError RetriesExhausted(Exception exception, long attempts, string where)
    {
        ApiError last = ApiErrorMapper.Map(exception);
        string code = exception is RequestFailedException storage ? $"storage error {storage.Status}" : last.Code;
        return new DocumentError(ApiErrorCodes.RetriesExhausted, $"Gave up after {attempts} attempts; the last failure was {code}: {last.Detail} The {where} and can be replayed.");
    }
}
