using System.Diagnostics;
using System.Diagnostics.Metrics;
using Llava.Inference.Generation;

namespace LlavaFunctions.Telemetry;

/// <summary>
/// Metrics of the trigger paths (the HTTP paths have <c>Llava.Serving</c>'s): outcomes by function and kind,
/// how long job messages waited in the queue, and the generation numbers people compare (time to first token,
/// tokens/s, image tokens). Exported by the OpenTelemetry setup in <see cref="Configuration.TelemetryExtensions"/>.
/// </summary>
public static class FunctionsTelemetry
{
    public const string Name = "LlavaFunctions";

    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> s_outcomes = Meter.CreateCounter<long>("llava.functions.outcomes", "{invocation}", "Caption and job invocations by function and outcome (captioned, rejected, already_done, succeeded, failed:<code>, transient:<type>).");
    private static readonly Histogram<double> s_queueLatency = Meter.CreateHistogram<double>("llava.functions.queue_latency", "s", "Time a job message waited in the queue before this delivery started.");
    private static readonly Histogram<double> s_timeToFirstToken = Meter.CreateHistogram<double>("llava.functions.time_to_first_token", "s", "Vision, embedding and prefill per answer.");
    private static readonly Histogram<double> s_tokensPerSecond = Meter.CreateHistogram<double>("llava.functions.tokens_per_second", "{token}/s", "Decode rate per answer.");
    private static readonly Histogram<long> s_imageTokens = Meter.CreateHistogram<long>("llava.functions.image_tokens", "{token}", "Image tokens per answer.");

    public static void RecordOutcome(string function, string outcome) =>
        s_outcomes.Add(1, new TagList { { "function", function }, { "outcome", outcome } });

    public static void RecordQueueLatency(TimeSpan latency) => s_queueLatency.Record(Math.Max(0, latency.TotalSeconds));

    public static void RecordGeneration(string function, GenerationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        KeyValuePair<string, object?> tag = new("function", function);
        s_timeToFirstToken.Record(result.Timings.TimeToFirstToken.TotalSeconds, tag);
        if (result.Timings.DecodeTokensPerSecond > 0)
        {
            s_tokensPerSecond.Record(result.Timings.DecodeTokensPerSecond, tag);
        }

        s_imageTokens.Record(result.Usage.ImageTokens, tag);
    }
}
