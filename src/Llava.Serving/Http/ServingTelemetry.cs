using System.Diagnostics;
using System.Diagnostics.Metrics;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;

namespace Llava.Serving.Http;

/// <summary>
/// The HTTP API's traces and metrics, for OpenTelemetry (<c>AddSource(ServingTelemetry.Name)</c>,
/// <c>AddMeter(ServingTelemetry.Name)</c>); nothing is exported from here.
/// </summary>
/// <remarks>
/// Instruments: <c>llava.serving.requests</c> (counter; tags <c>endpoint</c>, <c>outcome</c> = <c>ok</c>,
/// <c>cancelled</c> or an <see cref="ApiErrorCodes"/> value), <c>llava.serving.request.duration</c> (s),
/// <c>llava.serving.queue_wait</c> (s), <c>llava.serving.time_to_first_token</c> (s),
/// <c>llava.serving.tokens_per_second</c>, <c>llava.serving.image_tokens</c> and
/// <c>llava.serving.completion_tokens</c> (histograms; tag <c>endpoint</c>).
/// </remarks>
public static class ServingTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Llava.Serving";

    public const string OutcomeOk = "ok";

    public const string OutcomeCancelled = "cancelled";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> s_requests = Meter.CreateCounter<long>("llava.serving.requests", "{request}", "HTTP API requests by endpoint and outcome.");
    private static readonly Histogram<double> s_duration = Meter.CreateHistogram<double>("llava.serving.request.duration", "s", "Time to answer an HTTP API request, streaming included.");
    private static readonly Histogram<double> s_queueWait = Meter.CreateHistogram<double>("llava.serving.queue_wait", "s", "Time a request waited for a generation slot.");
    private static readonly Histogram<double> s_timeToFirstToken = Meter.CreateHistogram<double>("llava.serving.time_to_first_token", "s", "Vision, embedding and prefill: from the start of generation to the first token.");
    private static readonly Histogram<double> s_tokensPerSecond = Meter.CreateHistogram<double>("llava.serving.tokens_per_second", "{token}/s", "Decode rate after the first token.");
    private static readonly Histogram<long> s_imageTokens = Meter.CreateHistogram<long>("llava.serving.image_tokens", "{token}", "Image tokens per request.");
    private static readonly Histogram<long> s_completionTokens = Meter.CreateHistogram<long>("llava.serving.completion_tokens", "{token}", "Generated tokens per request.");

    internal static void RecordRequest(string endpoint, string outcome, TimeSpan duration)
    {
        TagList tags = new() { { "endpoint", endpoint }, { "outcome", outcome } };
        s_requests.Add(1, tags);
        s_duration.Record(duration.TotalSeconds, tags);
    }

    internal static void RecordGeneration(string endpoint, GenerationResult result, Activity? activity)
    {
        KeyValuePair<string, object?> tag = new("endpoint", endpoint);
        s_queueWait.Record(result.Timings.QueueWait.TotalSeconds, tag);
        s_timeToFirstToken.Record(result.Timings.TimeToFirstToken.TotalSeconds, tag);
        if (result.Timings.DecodeTokensPerSecond > 0)
        {
            s_tokensPerSecond.Record(result.Timings.DecodeTokensPerSecond, tag);
        }

        s_imageTokens.Record(result.Usage.ImageTokens, tag);
        s_completionTokens.Record(result.Usage.CompletionTokens, tag);
        activity?.SetTag("llava.usage.prompt_tokens", result.Usage.PromptTokens);
        activity?.SetTag("llava.usage.image_tokens", result.Usage.ImageTokens);
        activity?.SetTag("llava.usage.completion_tokens", result.Usage.CompletionTokens);
        activity?.SetTag("llava.finish_reason", FinishReasonNames.Of(result.FinishReason));
        activity?.SetTag("llava.time_to_first_token_ms", result.Timings.TimeToFirstToken.TotalMilliseconds);
    }
}
