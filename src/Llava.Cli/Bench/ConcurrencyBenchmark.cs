using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Benchmarking;
using Llava.Inference;
using Llava.Inference.Generation;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llava.Cli.Bench;

/// <summary>
/// Throughput of a running <c>llava serve</c> under concurrent load: the server is started in this process on a
/// loopback port (the same host, handlers and engine as the command), and the same greedy OpenAI chat completions
/// are sent with 1, 2, 4 and 8 in flight at a time. One row per level: answers per minute, tokens per second,
/// latency percentiles, the process's peak memory, the batches the engine ran, and whether every answer equals the
/// one the same request got when sent alone.
/// </summary>
internal static class ConcurrencyBenchmark
{
    public static readonly int[] Levels = [1, 2, 4, 8];

    private static readonly string[] s_questions =
    [
        "Describe this image in detail.",
        "What is in the picture?",
        "What colours do you see?",
        "Is there an animal in this image?",
        "Write a caption for this photo.",
        "What is the main object, and where is it?",
        "Describe the background.",
        "What might happen next in this scene?",
    ];

    public static async Task<IReadOnlyList<ConcurrencyLevelResult>> RunAsync(CliContext context, LlavaEngineOptions engineOptions, byte[] image, int requests, int tokens, CancellationToken cancellationToken)
    {
        await using WebApplication app = LlavaServer.Build(new LlavaServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            CreateModelHost = services => ModelHost.ForLocalFolder(engineOptions, services.GetRequiredService<ILoggerFactory>()),
            ConfigureBuilder = builder => builder.Logging.ClearProviders(),
        });
        await app.StartAsync(cancellationToken);
        ModelHost host = app.Services.GetRequiredService<ModelHost>();
        Inference.Engine.LlavaEngine engine = await host.Ready.WaitAsync(cancellationToken);
        using HttpClient client = new() { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(30) };
        string imageUrl = "data:image/jpeg;base64," + Convert.ToBase64String(image);

        await context.Error.WriteLineAsync("bench: warm-up request");
        _ = await SendAsync(client, imageUrl, s_questions[0], tokens, cancellationToken);

        List<ConcurrencyLevelResult> results = [];
        string?[] sequential = new string?[requests];
        foreach (int level in Levels)
        {
            await context.Error.WriteLineAsync($"bench: {requests} requests, {level} at a time");
            bool resettable = PeakMemory.Reset();
            using GenerationRecorder recorder = new();
            Inference.Batching.BatchingStatus before = engine.Batching;
            Stopwatch wall = Stopwatch.StartNew();
            Answer[] answers = new Answer[requests];
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, level).Select(async _ =>
            {
                for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
                {
                    answers[i] = await SendAsync(client, imageUrl, s_questions[i % s_questions.Length], tokens, cancellationToken);
                }
            }));
            double seconds = wall.Elapsed.TotalSeconds;
            Inference.Batching.BatchingStatus after = engine.Batching;
            if (level == 1)
            {
                for (int i = 0; i < requests; i++)
                {
                    sequential[i] = answers[i].Content;
                }
            }

            double[] latencies = [.. answers.Select(a => a.Seconds).Order()];
            results.Add(new ConcurrencyLevelResult(
                level,
                requests,
                answers.Count(a => a.Status == 200),
                seconds,
                answers.Sum(a => a.CompletionTokens),
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.95),
                PeakMemory.PeakBytes(),
                !resettable,
                after.CompletedBatches - before.CompletedBatches,
                after.CompletedRows - before.CompletedRows,
                answers.Select((a, i) => a.Status == 200 && a.Content == sequential[i] ? 1 : 0).Sum(),
                recorder.Median("llava.generation.time_to_first_token"),
                recorder.Median("llava.generation.tokens_per_second")));
        }

        await app.StopAsync(cancellationToken);
        return results;
    }

    public static string Table(IReadOnlyList<ConcurrencyLevelResult> results)
    {
        MarkdownTable table = new("in flight", "requests", "HTTP 200", "total s", "answers/min", "tokens/s", "p50 s", "p95 s", "first token s (median)", "decode tokens/s per answer (median)", "peak MiB", "batches (mean rows)", "speed-up vs 1", "answers = sequential");
        double baseline = results.FirstOrDefault(r => r.Concurrency == 1)?.WallSeconds ?? double.NaN;
        foreach (ConcurrencyLevelResult r in results)
        {
            table.Add(
                F(r.Concurrency),
                F(r.Requests),
                F(r.Succeeded),
                r.WallSeconds.ToString("F1", CultureInfo.InvariantCulture),
                (r.Succeeded / r.WallSeconds * 60).ToString("F1", CultureInfo.InvariantCulture),
                (r.CompletionTokens / r.WallSeconds).ToString("F1", CultureInfo.InvariantCulture),
                r.P50Seconds.ToString("F1", CultureInfo.InvariantCulture),
                r.P95Seconds.ToString("F1", CultureInfo.InvariantCulture),
                r.MedianTimeToFirstTokenSeconds.ToString("F2", CultureInfo.InvariantCulture),
                r.MedianRowTokensPerSecond.ToString("F1", CultureInfo.InvariantCulture),
                (r.PeakBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + (r.PeakSinceStart ? " (since start)" : ""),
                $"{r.CompletedBatches} ({(r.CompletedBatches == 0 ? 0 : (double)r.CompletedRows / r.CompletedBatches).ToString("F1", CultureInfo.InvariantCulture)})",
                (baseline / r.WallSeconds).ToString("F2", CultureInfo.InvariantCulture) + "x",
                $"{r.AnswersEqualToSequential}/{r.Requests}");
        }

        return table.ToString();
    }

    private static string F(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<Answer> SendAsync(HttpClient client, string imageUrl, string question, int tokens, CancellationToken cancellationToken)
    {
        JsonObject body = new()
        {
            ["model"] = "llava",
            ["max_tokens"] = tokens,
            ["temperature"] = 0,
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = question },
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = imageUrl } }),
            }),
        };
        Stopwatch clock = Stopwatch.StartNew();
        using HttpResponseMessage response = await client.PostAsJsonAsync(HttpApiRoutes.ChatCompletions, body, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        if (!response.IsSuccessStatusCode)
        {
            return new Answer((int)response.StatusCode, null, 0, seconds);
        }

        using JsonDocument json = JsonDocument.Parse(text);
        string? content = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        int completion = json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        return new Answer((int)response.StatusCode, content, completion, seconds);
    }

    private sealed record Answer(int Status, string? Content, int CompletionTokens, double Seconds);

    /// <summary>The engine's own per-answer numbers (its meter), which split each answer into prefill and decode.</summary>
    private sealed class GenerationRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _values = new(StringComparer.Ordinal);

        public GenerationRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GenerationMetrics.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _values.GetOrAdd(instrument.Name, _ => []).Add(value));
            _listener.Start();
        }

        public double Median(string instrument)
        {
            double[] sorted = [.. (_values.TryGetValue(instrument, out ConcurrentBag<double>? bag) ? bag : []).Order()];
            return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        }

        public void Dispose() => _listener.Dispose();
    }
}
