namespace Llava.Serving.Http.Contracts;

/// <summary>The answer of <c>POST /api/ask</c> (also the data of the final <c>done</c> event when streaming).</summary>
public sealed record AskResponse
{
    /// <summary>The generated text.</summary>
    public required string Answer { get; init; }

    /// <summary><c>stop</c> (the model ended its turn), <c>stop_sequence</c> (a caller's stop string) or <c>length</c> (the token budget ran out).</summary>
    public required string FinishReason { get; init; }

    public required AskUsage Usage { get; init; }

    public required AskTimings Timings { get; init; }

    /// <summary>The served model's variant (for example <c>llava-1.5</c>).</summary>
    public required string Model { get; init; }
}
