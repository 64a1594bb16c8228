using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using LlavaFunctions.HostTests.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// A small stand-in for the Azure Functions host, enough to run the published LlavaFunctions worker as the host
/// runs it: it starts the worker process, serves FunctionRpc over gRPC, initialises the worker, reads its function
/// metadata and loads its functions; runs the real WebJobs storage extensions (queue listener, blob trigger with
/// its Event Grid webhook) over triggers generated from that metadata, with host.json's settings; forwards trigger
/// invocations as SDK-type ModelBindingData; routes HTTP requests by the functions' routes to the worker's own
/// Kestrel with <c>x-ms-invocation-id</c>; and restarts the worker when it dies. What it does not do like the
/// real host is listed in docs/functions.md.
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    private static readonly TimeSpan s_workerStartTimeout = TimeSpan.FromSeconds(90);
    private static readonly HashSet<string> s_hopByHopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Proxy-Connection", "TE", "Trailer" };

    private readonly string _appDirectory;
    private readonly Dictionary<string, string> _settings;
    private readonly IConfiguration _hostJson;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WorkerChannel>> _connecting = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<InvocationRecord> _invocations = new();
    private readonly HttpClient _forwarder = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _workerLock = new();
    private TaskCompletionSource<WorkerChannel> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerProcess? _worker;
    private WebApplication? _web;
    private IHost? _webJobs;
    private WebhookRegistry? _webhooks;
    private HttpFunctionRouter? _router;
    private Uri? _grpcUri;

    private FunctionsHostStandIn(string appDirectory, IReadOnlyDictionary<string, string> appSettings)
    {
        _appDirectory = appDirectory;
        _settings = new Dictionary<string, string>(appSettings, StringComparer.Ordinal);
        _hostJson = HostJsonSettings.Load(appDirectory, appSettings);
        HostId = "llava-" + Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>The WebJobs host id (names the blob trigger's internal queue <c>azure-webjobs-blobtrigger-{id}</c>).</summary>
    public string HostId { get; }

    public StandInLog Log { get; } = new();

    /// <summary>The host's HTTP front door: function routes and <c>/runtime/webhooks/*</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The functions as the worker reported them.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    public IReadOnlyList<InvocationRecord> Invocations => [.. _invocations];

    /// <summary>The running WebJobs host's services (to check how host.json was mapped onto the extensions' options).</summary>
    public IServiceProvider WebJobsServices => _webJobs!.Services;

    /// <summary>The worker process that serves invocations now.</summary>
    public string CurrentWorkerId => _worker?.WorkerId ?? "";

    /// <summary>Called right after an invocation has been sent to the worker (function name, worker id); tests use it to crash the worker mid-job.</summary>
    public Action<string, string>? InvocationSent { get; set; }

    /// <summary>Starts the host: Kestrel (gRPC + HTTP), the worker, its functions, then the WebJobs triggers.</summary>
    /// <param name="appDirectory">The published app (host.json, worker.config.json, the worker's entry point).</param>
    /// <param name="appSettings">App settings: the worker's environment and the host's configuration (connections, %NAMES%, host.json overrides).</param>
    /// <param name="cancellationToken">Stops waiting for the start-up.</param>
    public static async Task<FunctionsHostStandIn> StartAsync(string appDirectory, IReadOnlyDictionary<string, string> appSettings, CancellationToken cancellationToken = default)
    {
        FunctionsHostStandIn host = new(appDirectory, appSettings);
        try
        {
            await host.StartWebAsync(cancellationToken);
            WorkerChannel channel = await host.StartWorkerAsync(cancellationToken);
            host._router = new HttpFunctionRouter(host.Functions, HostJsonSettings.RoutePrefix(host._hostJson));
            await host.StartWebJobsAsync(cancellationToken);
            host.Log.Write("host", $"ready: worker {channel.WorkerId}, http {channel.HttpUri}, functions {string.Join(", ", host.Functions.Select(f => f.Name))}");
            return host;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            string log = host.Log.Tail(200);
            await host.DisposeAsync();
            throw new InvalidOperationException($"The host stand-in did not start: {ex.GetType().Name}: {ex.Message}{Environment.NewLine}Log:{Environment.NewLine}{log}", ex);
        }
    }

    /// <summary>Kills the worker process, as a crash would; the host starts a new one.</summary>
    public void KillWorker()
    {
        Log.Write("host", $"killing worker {CurrentWorkerId}");
        _worker?.Kill();
    }

    /// <summary>Replaces the worker with one started with changed app settings (a new revision or replica), and waits until it serves.</summary>
    public async Task RestartWorkerAsync(IReadOnlyDictionary<string, string> changedSettings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changedSettings);
        string previous;
        lock (_workerLock)
        {
            foreach ((string name, string value) in changedSettings)
            {
                _settings[name] = value;
            }

            previous = CurrentWorkerId;
        }

        KillWorker();
        await WaitForNewWorkerAsync(previous, cancellationToken);
    }

    /// <summary>Waits until a worker other than <paramref name="previousWorkerId"/> is ready.</summary>
    public async Task WaitForNewWorkerAsync(string previousWorkerId, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_workerStartTimeout);
        while (true)
        {
            WorkerChannel channel = await ReadyChannelAsync(timeout.Token);
            if (channel.WorkerId != previousWorkerId)
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    internal void Attach(WorkerChannel channel)
    {
        if (_connecting.TryRemove(channel.WorkerId, out TaskCompletionSource<WorkerChannel>? waiting))
        {
            waiting.TrySetResult(channel);
        }
        else
        {
            Log.Write("host", $"unknown worker {channel.WorkerId} connected; closing it");
            channel.Close();
        }
    }

    internal async Task InvokeTriggerAsync(string functionName, ParameterBindingData trigger, CancellationToken cancellationToken)
    {
        WorkerFunction function = Functions.Single(f => f.Name == functionName);
        WorkerChannel channel = await ReadyChannelAsync(cancellationToken);
        InvocationRequest request = NewInvocation(function);
        request.InputData.Add(new ParameterBinding
        {
            Name = function.TriggerName,
            Data = new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = trigger.Version,
                    Source = trigger.Source,
                    ContentType = trigger.ContentType,
                    Content = ByteString.CopyFrom(trigger.Content.ToMemory().Span),
                },
            },
        });
        InvocationResponse response = await InvokeAsync(function, channel, request, cancellationToken);
        if (response.Result.Status != StatusResult.Types.Status.Success)
        {
            // The WebJobs listener sees a failed function: the queue message is released for a retry, then poisoned.
            throw new FunctionInvocationFailedException($"{function.Name} failed in worker {channel.WorkerId}: {response.Result.Exception?.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        TriggerDispatch.Unregister(HostId);
        if (_webJobs is not null)
        {
            using CancellationTokenSource stop = new(TimeSpan.FromSeconds(10));
            await _webJobs.StopAsync(stop.Token);
            _webJobs.Dispose();
        }

        lock (_workerLock)
        {
            _worker?.Dispose();
        }

        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        _forwarder.Dispose();
        _stopping.Dispose();
    }

    private async Task StartWebAsync(CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StandInLoggerProvider(Log, "kestrel"));
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(this);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        WebApplication web = builder.Build();
        web.MapGrpcService<FunctionRpcService>();
        web.Map("{**path}", HandleHttpAsync);
        await web.StartAsync(cancellationToken);
        _web = web;
        string[] addresses = [.. web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
        _grpcUri = new Uri(addresses[0]);
        BaseAddress = new Uri(addresses[1].TrimEnd('/') + "/");
        _webhooks = new WebhookRegistry(BaseAddress);
    }

    private async Task<WorkerChannel> StartWorkerAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<WorkerChannel> connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        WorkerProcess process;
        lock (_workerLock)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            process = WorkerProcess.Start(_appDirectory, _grpcUri!, _settings, Log);
            _connecting[process.WorkerId] = connected;
            _worker = process;
        }

        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(s_workerStartTimeout);
        Task first = await Task.WhenAny(connected.Task, process.Exited).WaitAsync(timeout.Token);
        if (first != connected.Task)
        {
            throw new WorkerUnavailableException($"Worker {process.WorkerId} exited before it connected.{Environment.NewLine}{Log.Tail()}");
        }

        WorkerChannel channel = await connected.Task;
        await channel.InitializeAsync(_appDirectory, timeout.Token);
        IReadOnlyList<WorkerFunction> functions = await channel.LoadFunctionsAsync(_appDirectory, timeout.Token);
        if (Functions.Count == 0)
        {
            Functions = functions;
        }

        _ = WatchAsync(process, channel);
        _ready.TrySetResult(channel);
        return channel;
    }

    /// <summary>When the worker dies, fails what it held and starts another one, as the host does.</summary>
    private async Task WatchAsync(WorkerProcess process, WorkerChannel channel)
    {
        await Task.WhenAny(process.Exited, channel.Closed);
        process.Kill();
        channel.Close();
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Log.Write("host", $"worker {process.WorkerId} went away; starting a new one");
        Interlocked.Exchange(ref _ready, new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously));
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await StartWorkerAsync(_stopping.Token);
                return;
            }
            catch (Exception ex) when (ex is WorkerUnavailableException or InvalidOperationException or TimeoutException)
            {
                Log.Write("host", $"worker restart failed: {ex.Message}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<WorkerChannel> ReadyChannelAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(s_workerStartTimeout);
        while (true)
        {
            WorkerChannel channel = await Volatile.Read(ref _ready).Task.WaitAsync(timeout.Token);
            if (!channel.Closed.IsCompleted)
            {
                return channel;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task StartWebJobsAsync(CancellationToken cancellationToken)
    {
        string hostId = HostId;
        TriggerDispatch.Register(hostId, this);
        Type triggers = TriggerMethodBuilder.Build(hostId, Functions.Where(f => !string.Equals(f.TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase)));
        TimeSpan? functionTimeout = HostJsonSettings.FunctionTimeout(_hostJson);
        IEnumerable<KeyValuePair<string, string?>> configuration = _settings
            .Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
            .Concat(HostJsonSettings.ForWebJobs(_hostJson));
        IHost webJobs = new HostBuilder()
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(configuration))
            .ConfigureWebJobs(webJobsBuilder =>
            {
                webJobsBuilder.AddAzureStorageQueues();
                webJobsBuilder.AddAzureStorageBlobs();
            })
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITypeLocator>(new StandInTypeLocator(triggers));
#pragma warning disable CS0618 // IWebHookProvider is "not ready for public consumption", but it is how the host serves extension webhooks.
                services.AddSingleton<IWebHookProvider>(_webhooks!);
#pragma warning restore CS0618
                services.AddSingleton<IHostIdProvider>(new FixedHostIdProvider(hostId));
                if (functionTimeout is TimeSpan limit)
                {
                    services.Configure<JobHostFunctionTimeoutOptions>(options => options.Timeout = limit);
                }
            })
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(new StandInLoggerProvider(Log, "webjobs"));
            })
            .Build();
        _webJobs = webJobs;
        await webJobs.StartAsync(cancellationToken);
    }

    private async Task HandleHttpAsync(HttpContext context)
    {
        const string webhooks = "/runtime/webhooks/";
        string path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(webhooks, StringComparison.OrdinalIgnoreCase))
        {
            await HandleWebhookAsync(context, path[webhooks.Length..].Trim('/'));
            return;
        }

        if (_router?.Match(context.Request.Method, context.Request.Path) is not { } match)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        CancellationToken aborted = context.RequestAborted;
        WorkerChannel channel = await ReadyChannelAsync(aborted);
        InvocationRequest request = NewInvocation(match.Function);
        request.InputData.Add(new ParameterBinding
        {
            Name = match.Function.TriggerName,
            Data = new TypedData { Http = new RpcHttp { Method = context.Request.Method, Url = context.Request.GetDisplayUrl() } },
        });
        foreach ((string name, object? value) in match.Values)
        {
            request.TriggerMetadata[name] = new TypedData { String = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" };
        }

        // The invocation goes first; the worker pairs the forwarded request with it by x-ms-invocation-id.
        Task<InvocationResponse> invocation = InvokeAsync(match.Function, channel, request, aborted);
        using HttpRequestMessage forwarded = new(new HttpMethod(context.Request.Method), new Uri(channel.HttpUri!, context.Request.Path + context.Request.QueryString));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forwarded.Content = new StreamContent(context.Request.Body);
        }

        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in context.Request.Headers)
        {
            if (!s_hopByHopHeaders.Contains(name) && !forwarded.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forwarded.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        forwarded.Headers.TryAddWithoutValidation("x-ms-invocation-id", request.InvocationId);
        using HttpResponseMessage response = await _forwarder.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead, aborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers.Concat(response.Content.Headers))
        {
            if (!s_hopByHopHeaders.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        // Streamed chunk by chunk so Server-Sent Events reach the client as the worker writes them.
        await using (Stream body = await response.Content.ReadAsStreamAsync(aborted))
        {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, aborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), aborted);
                await context.Response.Body.FlushAsync(aborted);
            }
        }

        await invocation;
    }

    private async Task HandleWebhookAsync(HttpContext context, string extension)
    {
        if (_webhooks?.Find(extension) is not { } handler)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using HttpRequestMessage message = new(new HttpMethod(context.Request.Method), context.Request.GetDisplayUrl())
        {
            Content = new StreamContent(context.Request.Body),
        };
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in context.Request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using HttpResponseMessage response = await handler.ConvertAsync(message, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content is not null)
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static InvocationRequest NewInvocation(WorkerFunction function) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        FunctionId = function.FunctionId,
        // The worker needs a trace context on every invocation.
        TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01", TraceState = "" },
    };

    private async Task<InvocationResponse> InvokeAsync(WorkerFunction function, WorkerChannel channel, InvocationRequest request, CancellationToken cancellationToken)
    {
        InvocationResponse response;
        try
        {
            Task<InvocationResponse> answer = channel.InvokeAsync(request, cancellationToken);
            InvocationSent?.Invoke(function.Name, channel.WorkerId);
            response = await answer;
        }
        catch (WorkerUnavailableException ex)
        {
            _invocations.Enqueue(new InvocationRecord(function.Name, request.InvocationId, channel.WorkerId, InvocationRecord.WorkerUnavailable, ex.Message));
            throw;
        }

        bool succeeded = response.Result.Status == StatusResult.Types.Status.Success;
        _invocations.Enqueue(new InvocationRecord(function.Name, request.InvocationId, channel.WorkerId, succeeded ? InvocationRecord.Success : InvocationRecord.Failure, response.Result.Exception?.Message));
        return response;
    }
}
