namespace Llava.Serving.Results;

/// <summary>
/// The JSON names of a generation result in every document of ours (HTTP ask answers and SSE <c>done</c> events,
/// caption and job documents, the CLI's <c>--json</c>): camelCase, values in <see cref="ResultUsage"/> and
/// <see cref="ResultTimings"/>. OpenAI's envelope keeps OpenAI's names (<c>finish_reason</c>, <c>prompt_tokens</c>).
/// </summary>
public static class ResultFieldNames
{
    /// <summary>The generated text, exactly as decoded (caption documents call it <c>caption</c>: it is their one text).</summary>
    public const string Answer = "answer";

    /// <summary>One of <see cref="FinishReasonNames"/>.</summary>
    public const string FinishReason = "finishReason";

    public const string Usage = "usage";

    public const string Timings = "timings";

    /// <summary>The served model's variant (<c>llava-1.5</c>), which is also its id on <c>/v1/models</c>.</summary>
    public const string Model = "model";
}
