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
/// <c>cancelled</c> or an <see cref="ApiErrorCodes"/> value), <c>llava.serving.request.duration</c> (s). The
/// generation numbers (time to first token, tokens/s, tokens, queue wait, batch size) are the engine's, one set for
/// every surface: <see cref="GenerationMetrics"/>.
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

    internal static void RecordRequest(string endpoint, string outcome, TimeSpan duration)
    {
        TagList tags = new() { { "endpoint", endpoint }, { "outcome", outcome } };
        s_requests.Add(1, tags);
        s_duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Tags the request's activity with its answer; the generation metrics themselves are the engine's (<see cref="GenerationMetrics"/>).</summary>
    internal static void RecordGeneration(GenerationResult result, Activity? activity)
    {
        activity?.SetTag("llava.usage.prompt_tokens", result.Usage.PromptTokens);
        activity?.SetTag("llava.usage.image_tokens", result.Usage.ImageTokens);
        activity?.SetTag("llava.usage.completion_tokens", result.Usage.CompletionTokens);
        activity?.SetTag("llava.finish_reason", FinishReasonNames.Of(result.FinishReason));
        activity?.SetTag("llava.time_to_first_token_ms", result.Timings.TimeToFirstToken.TotalMilliseconds);
    }
}
