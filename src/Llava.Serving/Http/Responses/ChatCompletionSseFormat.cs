using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;

namespace Llava.Serving.Http.Responses;

/// <summary>
/// OpenAI's streaming format: <c>data: {chat.completion.chunk}</c> events (the first with the assistant role, then
/// content deltas, then an empty delta with the finish reason), a usage chunk when asked for, and <c>data: [DONE]</c>.
/// A failure after the stream started is sent as <c>data: {"error": {...}}</c>, without <c>[DONE]</c>.
/// </summary>
internal sealed class ChatCompletionSseFormat(string id, long created, string model, bool includeUsage) : ISseFormat
{
    public Task WriteStartAsync(SseSession session, CancellationToken cancellationToken) =>
        WriteChunkAsync(session, new ChatCompletionDelta("assistant", ""), null, cancellationToken);

    public Task WriteDeltaAsync(SseSession session, string text, CancellationToken cancellationToken) =>
        WriteChunkAsync(session, new ChatCompletionDelta(null, text), null, cancellationToken);

    public async Task WriteDoneAsync(SseSession session, GenerationResult result, CancellationToken cancellationToken)
    {
        await WriteChunkAsync(session, new ChatCompletionDelta(null, null), FinishReasonNames.ToOpenAi(result.FinishReason), cancellationToken);
        if (includeUsage)
        {
            ChatCompletionChunk usage = new() { Id = id, Created = created, Model = model, Choices = [], Usage = ChatCompletionUsage.From(result.Usage) };
            await session.WriteEventAsync(null, JsonSerializer.Serialize(usage, HttpApiJsonContext.Default.ChatCompletionChunk), cancellationToken);
        }

        await session.WriteEventAsync(null, "[DONE]", cancellationToken);
    }

    public Task WriteErrorAsync(SseSession session, ApiError error, CancellationToken cancellationToken) =>
        session.WriteEventAsync(null, Encoding.UTF8.GetString(ApiErrorMapper.OpenAiErrorJson(error)), cancellationToken);

    private Task WriteChunkAsync(SseSession session, ChatCompletionDelta delta, string? finishReason, CancellationToken cancellationToken)
    {
        ChatCompletionChunk chunk = new() { Id = id, Created = created, Model = model, Choices = [new ChatCompletionChunkChoice(0, delta, finishReason)] };
        return session.WriteEventAsync(null, JsonSerializer.Serialize(chunk, HttpApiJsonContext.Default.ChatCompletionChunk), cancellationToken);
    }
}
