using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlavaFunctions.Telemetry;

/// <summary>
/// Metrics of the trigger paths (the HTTP paths have <c>Llava.Serving</c>'s): outcomes by function and kind, and
/// how long job messages waited in the queue. The generation numbers people compare (time to first token, tokens/s,
/// tokens, batch size) are the engine's, one set for every surface (<c>Llava.Inference</c>'s GenerationMetrics). Exported by the OpenTelemetry setup in <see cref="Configuration.TelemetryExtensions"/>.
/// </summary>
public static class FunctionsTelemetry
{
    public const string Name = "LlavaFunctions";

    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> s_outcomes = Meter.CreateCounter<long>("llava.functions.outcomes", "{invocation}", "Caption and job invocations by function and outcome (captioned, rejected, already_done, succeeded, failed:<code>, transient:<type>).");
    private static readonly Histogram<double> s_queueLatency = Meter.CreateHistogram<double>("llava.functions.queue_latency", "s", "Time a job message waited in the queue before this delivery started.");

    public static void RecordOutcome(string function, string outcome) =>
        s_outcomes.Add(1, new TagList { { "function", function }, { "outcome", outcome } });

    public static void RecordQueueLatency(TimeSpan latency) => s_queueLatency.Record(Math.Max(0, latency.TotalSeconds));
}
