using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Llava.Inference.Generation;
using Llava.Serving.Http;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Requests_by_outcome_time_to_first_token_tokens_per_second_and_image_tokens_are_measured()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync();
        ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)> measurements = [];
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is ServingTelemetry.Name or GenerationMetrics.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.Start();
        string marker = Guid.NewGuid().ToString("N");

        using HttpResponseMessage ok = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), marker, ("maxTokens", "6")));
        using HttpResponseMessage unsupported = await server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.BadImage("tiny.tiff"), marker));
        listener.Dispose();

        Assert.Contains(measurements, m => m.Instrument == "llava.serving.requests" && Equals(m.Tags["endpoint"], "ask") && Equals(m.Tags["outcome"], "ok"));
        Assert.Contains(measurements, m => m.Instrument == "llava.serving.requests" && Equals(m.Tags["endpoint"], "ask") && Equals(m.Tags["outcome"], ApiErrorCodes.UnsupportedImage));
        Assert.Contains(measurements, m => m.Instrument == "llava.serving.request.duration" && m.Value > 0);

        // The generation numbers are the engine's, one set for every surface, tagged with the model.
        Assert.Contains(measurements, m => m.Instrument == "llava.generation.time_to_first_token" && m.Value > 0 && Equals(m.Tags[GenerationMetrics.ModelTag], "llava-1.5"));
        Assert.Contains(measurements, m => m.Instrument == "llava.generation.tokens_per_second" && m.Value > 0);
        Assert.Contains(measurements, m => m.Instrument == "llava.generation.image_tokens" && m.Value == 576);
        Assert.Contains(measurements, m => m.Instrument == "llava.generation.completion_tokens" && m.Value == 6);
        Assert.Contains(measurements, m => m.Instrument == "llava.generation.batch_size" && m.Value >= 1);
        Assert.DoesNotContain(measurements, m => m.Instrument.StartsWith("llava.serving.", StringComparison.Ordinal) && m.Instrument.Contains("token", StringComparison.Ordinal));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Dictionary<string, object?> result = [];
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
