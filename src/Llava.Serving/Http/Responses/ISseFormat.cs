using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Responses;

/// <summary>How one endpoint writes a generation as Server-Sent Events.</summary>
internal interface ISseFormat
{
    /// <summary>Right after the headers (OpenAI's first chunk carries the assistant role).</summary>
    Task WriteStartAsync(SseSession session, CancellationToken cancellationToken);

    Task WriteDeltaAsync(SseSession session, string text, CancellationToken cancellationToken);

    Task WriteDoneAsync(SseSession session, GenerationResult result, CancellationToken cancellationToken);

    /// <summary>A failure after the stream started, when no status can be sent any more.</summary>
    Task WriteErrorAsync(SseSession session, ApiError error, CancellationToken cancellationToken);
}
