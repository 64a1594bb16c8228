using Azure;
using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Requests;
using Llava.Serving.Results;
using LlavaFunctions.Failures;

namespace LlavaFunctions.Tests.Failures;

public sealed class FailureClassifierTests
{
    public static TheoryData<Exception, FailureKind> Failures => new()
    {
        { new ImageRejectedException(ImageRejectionReason.Corrupt, "bad"), FailureKind.Permanent },
        { new ImageRejectedException(ImageRejectionReason.TooLarge, "big"), FailureKind.Permanent },
        { new PromptTooLongException(10, 5, 10, 12), FailureKind.Permanent },
        { new InvalidPromptException("bad option"), FailureKind.Permanent },
        { new ImageReferenceException(ImageReferenceFailure.NotAllowed, "no"), FailureKind.Permanent },
        { new ImageReferenceException(ImageReferenceFailure.NotFound, "gone"), FailureKind.Permanent },
        { new ImageReferenceException(ImageReferenceFailure.Unavailable, "later"), FailureKind.Transient },
        { new EngineBusyException(TimeSpan.FromSeconds(1), "busy"), FailureKind.Transient },
        { new ModelNotReadyException(ModelState.Loading, "loading", TimeSpan.FromSeconds(1)), FailureKind.Transient },
        { new RequestFailedException(503, "storage down"), FailureKind.Transient },
        { new HttpRequestException("reset"), FailureKind.Transient },
        { new TimeoutException(), FailureKind.Transient },
        { new InvalidOperationException("bug"), FailureKind.Unknown },
        { new ArgumentException("bad argument"), FailureKind.Unknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_are_sorted_as_the_http_api_answers_them(Exception failure, FailureKind kind)
    {
        Assert.Equal(kind, FailureClassifier.Classify(failure));
    }

    [Fact]
    public void A_permanent_failure_carries_the_http_code_and_message()
    {
        DocumentErrorAssert(FailureClassifier.ToDocumentError(new ImageRejectedException(ImageRejectionReason.Unsupported, "TIFF is not accepted.")), ApiErrorCodes.UnsupportedImage, "TIFF is not accepted.");
    }

    [Fact]
    public void Retries_exhausted_names_the_last_failure_by_code_and_a_storage_failure_by_status()
    {
        DocumentError bug = FailureClassifier.RetriesExhausted(new InvalidOperationException("secret"), 5, "message is in the poison queue");
        DocumentError storage = FailureClassifier.RetriesExhausted(new RequestFailedException(503, "secret"), 5, "message is in the poison queue");

        Assert.Equal(ApiErrorCodes.RetriesExhausted, bug.Code);
        Assert.Contains("after 5 attempts", bug.Message, StringComparison.Ordinal);
        Assert.Contains(ApiErrorCodes.InternalError, bug.Message, StringComparison.Ordinal);
        Assert.Contains("storage error 503", storage.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", bug.Message + storage.Message, StringComparison.Ordinal);
    }

    private static void DocumentErrorAssert(DocumentError error, string code, string message)
    {
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }
}
