using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Llava.Inference.Generation;
using LlavaFunctions.Telemetry;

namespace LlavaFunctions.Tests.Telemetry;

public sealed class FunctionsTelemetryTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Captioning_records_its_outcome_and_generation_metrics()
    {
        ConcurrentBag<(string Instrument, string? Outcome)> seen = [];
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is FunctionsTelemetry.Name or GenerationMetrics.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => seen.Add((instrument.Name, Outcome(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => seen.Add((instrument.Name, Outcome(tags))));
        listener.Start();
        BlobClient blob = app.Images.GetBlobClient("telemetry.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);

        await app.Captions.CaptionAsync(blob, CancellationToken.None);

        Assert.Contains(("llava.functions.outcomes", "captioned"), seen);
        Assert.Contains(seen, m => m.Instrument == "llava.generation.time_to_first_token");
        Assert.Contains(seen, m => m.Instrument == "llava.generation.image_tokens");
        Assert.DoesNotContain(seen, m => m.Instrument.StartsWith("llava.functions.", StringComparison.Ordinal) && m.Instrument.Contains("token", StringComparison.Ordinal));
    }

    private static string? Outcome(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "outcome")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
