using System.CommandLine;
using System.Net;
using Llava.Cli.Running;
using Llava.Inference;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava serve [--model DIR] [--urls URLS]</c>: the Functions app's HTTP API (health, ask with SSE streaming,
/// OpenAI-compatible chat completions) on Kestrel, loopback only by default, with the same handlers. The model
/// loads in the background while health already answers; Ctrl+C stops accepting requests, gives running ones a
/// few seconds, and exits 0.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        ModelArguments model = new();
        Option<string> urls = new("--urls") { Description = "Where to listen, ';'-separated http:// URLs.", DefaultValueFactory = _ => LlavaServerOptions.DefaultUrl };
        Option<int> maxConcurrent = new("--max-concurrent") { Description = "Generators running at once, each answering a batch (1 is right on a GPU and on CPU).", DefaultValueFactory = _ => 1 };
        Option<int?> maxBatch = new("--max-batch") { Description = "Most requests one generator answers together (default 8 on CPU and CUDA; 1 turns batching off)." };
        Option<int> batchWindow = new("--batch-window-ms") { Description = "How long a ready request waits for others to share its batch, in ms.", DefaultValueFactory = _ => 100 };
        Option<int> maxQueued = new("--max-queued") { Description = "Requests that may wait for a slot before others get 503 + Retry-After.", DefaultValueFactory = _ => 8 };
        Option<long?> memoryBudget = new("--memory-budget-mib") { Description = "Memory all requests together may use besides the weights, in MiB; requests are admitted against it before their images are decoded (default 4096 on CPU, 6144 on CUDA)." };
        Option<int> heartbeat = new("--heartbeat") { Description = "Seconds between Server-Sent Events heartbeat comments.", DefaultValueFactory = _ => 15 };

        Command command = new("serve", "Serve the HTTP API (health, ask with SSE streaming, OpenAI-compatible chat completions) on Kestrel.")
        {
            urls, maxConcurrent, maxBatch, batchWindow, maxQueued, memoryBudget, heartbeat,
        };
        model.AddTo(command);
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            string modelPath = model.RequirePath(parse, context);
            if (!Directory.Exists(modelPath))
            {
                throw new CliException(ExitCodes.ModelUnavailable, $"model folder not found: {modelPath}.");
            }

            ModelLoadSettings settings = model.Settings(parse);
            LlavaEngineOptions engineOptions = new()
            {
                ModelPath = modelPath,
                ExecutionProvider = settings.Provider,
                Verification = settings.Verification,
                MaxConcurrentGenerations = parse.GetValue(maxConcurrent),
                MaxBatchSize = parse.GetValue(maxBatch),
                BatchWindow = TimeSpan.FromMilliseconds(parse.GetValue(batchWindow)),
                MaxQueuedRequests = parse.GetValue(maxQueued),
                MemoryBudgetBytes = parse.GetValue(memoryBudget) is long mib ? mib * 1024 * 1024 : null,
            };
            HttpApiOptions apiOptions = new() { HeartbeatInterval = TimeSpan.FromSeconds(parse.GetValue(heartbeat)) };
            string[] listen = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            List<string> errors = [.. engineOptions.Validate(), .. apiOptions.Validate()];
            errors.AddRange(listen.Where(u => !Uri.TryCreate(u, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp).Select(u => $"'{u}' is not an http:// URL."));
            if (listen.Length == 0)
            {
                errors.Add("--urls names no address.");
            }

            if (errors.Count > 0)
            {
                throw new CliException(ExitCodes.InvalidInput, string.Join(" ", errors));
            }

            foreach (string url in listen.Where(u => !IsLoopback(u)))
            {
                await context.Error.WriteLineAsync($"warning: {url} is not a loopback address, and this server has no authentication.");
            }

            await using WebApplication app = LlavaServer.Build(new LlavaServerOptions
            {
                Urls = listen,
                CreateModelHost = services => ModelHost.ForLocalFolder(engineOptions, services.GetRequiredService<ILoggerFactory>()),
                ConfigureApi = api => api.HeartbeatInterval = apiOptions.HeartbeatInterval,
                ConfigureBuilder = builder =>
                {
                    builder.Logging.ClearProviders();
                    builder.Logging.AddSimpleConsole(console =>
                    {
                        console.SingleLine = true;
                        console.TimestampFormat = "HH:mm:ss ";
                    });
                    builder.Logging.SetMinimumLevel(LogLevel.Information);
                    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
                },
            });
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                // Kestrel's "address already in use" and friends.
                throw new CliException(ExitCodes.Failure, $"cannot listen on {string.Join(", ", listen)}: {ex.Message}", ex);
            }

            await context.Error.WriteLineAsync($"Serving {modelPath} on {string.Join(", ", app.Urls)}; the model loads in the background (GET /api/health says when it is ready). Ctrl+C stops.");
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) &&
        (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address)));
}
