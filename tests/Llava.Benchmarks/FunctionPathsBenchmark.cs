using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Serving.Hosting;
using Llava.Serving.Http;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
using Llava.Serving.Results;
using Llava.Testing;
using Llava.Testing.Models;
using Llava.Testing.Storage;
using LlavaFunctions.Captioning;
using LlavaFunctions.Configuration;
using LlavaFunctions.Http;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llava.Benchmarks;

/// <summary>
/// End-to-end latency of each Functions path against Azurite (upload → caption document; submit → queue →
/// answer document → read back; HTTP ask), next to the engine's own time for the same request, so the table
/// shows what storage and the adapters add. Needs Azurite (LLAVA_TEST_STORAGE or the development account).
/// </summary>
internal static class FunctionPathsBenchmark
{
    private const int Runs = 7;
    private const int MaxTokens = 16;

    public static async Task<int> RunAsync(string family)
    {
        StorageSandbox sandbox = new();
        await sandbox.InitializeAsync();
        try
        {
            BlobContainerClient images = await sandbox.CreateContainerAsync("images");
            BlobContainerClient captions = await sandbox.CreateContainerAsync("captions");
            BlobContainerClient answers = await sandbox.CreateContainerAsync("answers");
            QueueClient queue = await sandbox.CreateQueueAsync("jobs");
            LlavaAppOptions options = new()
            {
                ModelPath = TinyModels.Model(family),
                ImagesContainer = images.Name,
                CaptionsContainer = captions.Name,
                AnswersContainer = answers.Name,
                JobsQueue = queue.Name,
                CaptionMaxTokens = MaxTokens,
            };
            StorageAccount storage = new(new BlobServiceClient(sandbox.ConnectionString), new QueueServiceClient(sandbox.ConnectionString, StorageAccount.QueueOptions()));
            using ModelHost host = ModelHost.ForLocalFolder(options.ToEngineOptions(), NullLoggerFactory.Instance);
            host.Start();
            LlavaEngine engine = await host.Ready;
            OwnStorageImages resolver = new(storage, options);
            CaptionService captionService = new(storage, host, options, NullLogger<CaptionService>.Instance);
            JobService jobs = new(storage, host, resolver, options, NullLogger<JobService>.Instance);
            JobSubmission submission = new(storage, jobs, options);
            ServiceCollection services = new();
            services.AddLogging();
            services.AddSingleton(host);
            services.AddSingleton<IImageReferenceResolver>(resolver);
            services.AddLlavaHttpApi();
            using ServiceProvider provider = services.BuildServiceProvider();
            ServingHttp http = new(provider.GetRequiredService<HealthHandler>(), provider.GetRequiredService<AskHandler>(), provider.GetRequiredService<ChatCompletionsHandler>(), provider.GetRequiredService<ModelsHandler>());
            byte[] image = File.ReadAllBytes(RepositoryPaths.Fixture("images", "chelsea_336x336.png"));
            await images.GetBlobClient("bench/source.png").UploadAsync(BinaryData.FromBytes(image), overwrite: true);
            QueueClient consumer = storage.Queues.GetQueueClient(queue.Name);

            List<(string Path, double[] TotalMs, double[] EngineMs)> rows = [];
            rows.Add(("engine only (AskAsync)", await Measure(async i => (await engine.AskAsync(image, options.CaptionPrompt, new GenerationOptions { MaxNewTokens = MaxTokens })).Timings), []));
            rows.Add(await Path("caption on upload: upload → CaptionOnUpload → document", async i =>
            {
                BlobClient blob = images.GetBlobClient($"bench/cat-{i}.png");
                await blob.UploadAsync(BinaryData.FromBytes(image), overwrite: true);
                await new CaptionOnUpload(captionService).RunAsync(blob, CancellationToken.None);
                CaptionDocument document = (await JsonDocuments.ReadAsync<CaptionDocument>(captions.GetBlobClient(blob.Name + ".json"), CancellationToken.None))!;
                return document.Timings!;
            }));
            rows.Add(await Path("queued job: POST /api/jobs → queue → AnswerQueuedJob → GET", async i =>
            {
                VqaJobResult accepted = await submission.SubmitAsync(new VqaJobMessage { JobId = $"bench-{i}", Image = $"{images.Name}/bench/source.png", Questions = [options.CaptionPrompt], Options = new JobGenerationOptions { MaxTokens = MaxTokens } }, CancellationToken.None);
                QueueMessage message = (await consumer.ReceiveMessageAsync()).Value;
                await new AnswerQueuedJob(jobs).RunAsync(message, CancellationToken.None);
                await consumer.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                VqaJobResult result = (await jobs.GetAsync(accepted.JobId, CancellationToken.None))!;
                return result.Answers[0].Timings;
            }));
            rows.Add(await Path("HTTP ask: POST /api/ask (image by blob reference)", async i =>
            {
                string body = $"{{\"question\":\"{options.CaptionPrompt}\",\"imageUrl\":\"{images.Name}/bench/source.png\",\"maxTokens\":{MaxTokens}}}";
                DefaultHttpContext context = new();
                context.Request.Method = "POST";
                context.Request.ContentType = "application/json";
                context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
                context.Response.Body = new MemoryStream();
                await http.AskAsync(context.Request, CancellationToken.None);
                return null;
            }));

            Console.WriteLine($"Functions paths against Azurite, tiny {family} model (random weights), {MaxTokens} tokens, median of {Runs} runs after a warm-up; {Environment.ProcessorCount} CPUs, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            Console.WriteLine();
            Console.WriteLine("| path | end-to-end ms | engine generation ms | added by storage and adapters ms |");
            Console.WriteLine("|---|---|---|---|");
            double engineOnly = Median(rows[0].TotalMs);
            foreach ((string path, double[] total, double[] engineMs) in rows)
            {
                double end = Median(total);
                double gen = engineMs.Length > 0 ? Median(engineMs) : engineOnly;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {path} | {end:F1} | {gen:F1} | {end - gen:F1} |"));
            }

            return 0;
        }
        finally
        {
            await sandbox.DisposeAsync();
        }
    }

    private static async Task<(string, double[], double[])> Path(string name, Func<int, Task<ResultTimings?>> run)
    {
        List<double> total = [];
        List<double> engine = [];
        for (int i = 0; i <= Runs; i++)
        {
            Stopwatch clock = Stopwatch.StartNew();
            ResultTimings? timings = await run(i);
            clock.Stop();
            if (i == 0)
            {
                continue;
            }

            total.Add(clock.Elapsed.TotalMilliseconds);
            if (timings is not null)
            {
                engine.Add(timings.PreprocessMs + timings.QueueMs + timings.TimeToFirstTokenMs + timings.DecodeMs);
            }
        }

        return (name, [.. total], [.. engine]);
    }

    private static async Task<double[]> Measure(Func<int, Task<GenerationTimings>> run)
    {
        List<double> total = [];
        for (int i = 0; i <= Runs; i++)
        {
            Stopwatch clock = Stopwatch.StartNew();
            await run(i);
            if (i > 0)
            {
                total.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return [.. total];
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
