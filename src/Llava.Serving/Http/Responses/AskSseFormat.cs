using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Responses;

/// <summary><c>/api/ask</c> as events: <c>delta</c> {"text"}, then <c>done</c> with the whole answer, or <c>error</c> with a problem document.</summary>
internal sealed class AskSseFormat(string model, string instance) : ISseFormat
{
    public Task WriteStartAsync(SseSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WriteDeltaAsync(SseSession session, string text, CancellationToken cancellationToken) =>
        session.WriteEventAsync("delta", JsonSerializer.Serialize(new AskDelta(text), HttpApiJsonContext.Default.AskDelta), cancellationToken);

    public Task WriteDoneAsync(SseSession session, GenerationResult result, CancellationToken cancellationToken) =>
        session.WriteEventAsync("done", JsonSerializer.Serialize(AskResponse.From(result, model), HttpApiJsonContext.Default.AskResponse), cancellationToken);

    public Task WriteErrorAsync(SseSession session, ApiError error, CancellationToken cancellationToken) =>
        session.WriteEventAsync("error", Encoding.UTF8.GetString(ApiErrorMapper.ProblemJson(error, instance)), cancellationToken);
}
