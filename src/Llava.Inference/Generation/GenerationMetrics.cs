using System.Diagnostics.Metrics;

namespace Llava.Inference.Generation;

/// <summary>
/// The generation numbers people compare, defined once, where generation happens: every answer of every surface
/// (HTTP, OpenAI, captions, jobs, CLI) is recorded here by the engine. Hosts export the meter <see cref="Name"/>;
/// nothing is exported from here.
/// </summary>
public static class GenerationMetrics
{
    public const string Name = "Llava.Inference";

    public static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> s_queueWait = Meter.CreateHistogram<double>("llava.generation.queue_wait", "s", "Time an answer waited for admission and for its batch to close.");
    private static readonly Histogram<double> s_timeToFirstToken = Meter.CreateHistogram<double>("llava.generation.time_to_first_token", "s", "Vision, embedding and prefill: from the start of the answer's batch to its first token.");
    private static readonly Histogram<double> s_tokensPerSecond = Meter.CreateHistogram<double>("llava.generation.tokens_per_second", "{token}/s", "Decode rate of one answer after its first token.");
    private static readonly Histogram<long> s_imageTokens = Meter.CreateHistogram<long>("llava.generation.image_tokens", "{token}", "Image tokens per answer.");
    private static readonly Histogram<long> s_completionTokens = Meter.CreateHistogram<long>("llava.generation.completion_tokens", "{token}", "Generated tokens per answer.");
    private static readonly Histogram<long> s_batchSize = Meter.CreateHistogram<long>("llava.generation.batch_size", "{request}", "Requests answered together by one generator.");

    /// <summary>Tag of every measurement: the model variant that answered.</summary>
    public const string ModelTag = "llava.model";

    internal static void RecordAnswer(GenerationResult result, string model)
    {
        KeyValuePair<string, object?> tag = new(ModelTag, model);
        s_queueWait.Record(result.Timings.QueueWait.TotalSeconds, tag);
        s_timeToFirstToken.Record(result.Timings.TimeToFirstToken.TotalSeconds, tag);
        if (result.Timings.DecodeTokensPerSecond > 0)
        {
            s_tokensPerSecond.Record(result.Timings.DecodeTokensPerSecond, tag);
        }

        s_imageTokens.Record(result.Usage.ImageTokens, tag);
        s_completionTokens.Record(result.Usage.CompletionTokens, tag);
    }

    internal static void RecordBatch(int rows, string model) => s_batchSize.Record(rows, new KeyValuePair<string, object?>(ModelTag, model));
}
