using Llava.Inference.Generation;

namespace Llava.Serving.Results;

/// <summary>
/// The one finish-reason vocabulary: how every surface (HTTP answers and SSE <c>done</c> events, the Functions app's
/// documents, the CLI's <c>--json</c>, the request trace) names <see cref="FinishReason"/>, and its
/// mapping to OpenAI's, which has no separate name for a stop sequence.
/// </summary>
/// <remarks>
/// | ours | when | OpenAI <c>finish_reason</c> |
/// |---|---|---|
/// | <c>stop</c> | the model produced its end-of-turn token | <c>stop</c> |
/// | <c>stop_sequence</c> | the text reached one of the caller's stop sequences | <c>stop</c> |
/// | <c>length</c> | the token budget (or the context) ran out | <c>length</c> |
/// </remarks>
public static class FinishReasonNames
{
    /// <summary>The model ended its turn (OpenAI: <c>stop</c>).</summary>
    public const string Stop = "stop";

    /// <summary>One of the caller's stop sequences was reached; it is not part of the answer (OpenAI: <c>stop</c>).</summary>
    public const string StopSequence = "stop_sequence";

    /// <summary>The token budget or the context ran out (OpenAI: <c>length</c>).</summary>
    public const string Length = "length";

    /// <summary>Our name for <paramref name="reason"/>.</summary>
    public static string Of(FinishReason reason) => reason switch
    {
        FinishReason.EndOfTurn => Stop,
        FinishReason.StopSequence => StopSequence,
        FinishReason.Length => Length,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a finish reason."),
    };

    /// <summary>OpenAI's name for <paramref name="reason"/> (Chat Completions' <c>finish_reason</c>).</summary>
    public static string ToOpenAi(FinishReason reason) => reason == FinishReason.Length ? Length : Stop;
}
