using System.Diagnostics;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Loading;
using Microsoft.Extensions.Logging;

namespace Llava.Serving.Hosting;

/// <summary>
/// Owns the one model a process serves. Loading (and fetching the folder, wherever it comes from) starts in
/// the background when <see cref="Start"/> is called, so the host is up and answering health checks in
/// seconds while a multi-GB model loads; requests wait for readiness up to a bound.
/// </summary>
public sealed partial class ModelHost : IDisposable
{
    private readonly Func<IProgress<ModelLoadProgress>, CancellationToken, Task<string>> _acquireFolder;
    private readonly LlavaEngineOptions _options;
    private readonly CudaDriverCheck _cudaDriverCheck;
    private readonly ILogger<ModelHost> _logger;
    private readonly ILogger<LlavaEngine> _engineLogger;
    private readonly TaskCompletionSource<LlavaEngine> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private volatile string _stage = "not started";
    private volatile string? _error;
    private int _started;

    /// <param name="options">Engine settings; <see cref="LlavaEngineOptions.ModelPath"/> is replaced by the acquired folder.</param>
    /// <param name="acquireFolder">Makes the model folder available locally (a no-op for a local path, a download for blob storage) and returns its path.</param>
    /// <param name="loggerFactory">Loggers for the host and the engine.</param>
    /// <param name="cudaDriverCheck">Run before anything is fetched when the provider is cuda; null checks this machine's driver.</param>
    public ModelHost(
        LlavaEngineOptions options,
        Func<IProgress<ModelLoadProgress>, CancellationToken, Task<string>> acquireFolder,
        ILoggerFactory loggerFactory,
        CudaDriverCheck? cudaDriverCheck = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(acquireFolder);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _acquireFolder = acquireFolder;
        _cudaDriverCheck = cudaDriverCheck ?? CudaDriverCheck.ForThisMachine();
        _logger = loggerFactory.CreateLogger<ModelHost>();
        _engineLogger = loggerFactory.CreateLogger<LlavaEngine>();
    }

    /// <summary>A host for a model folder already on local disk.</summary>
    public static ModelHost ForLocalFolder(LlavaEngineOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ModelHost(options, (_, _) => Task.FromResult(options.ModelPath), loggerFactory);
    }

    public ModelState State => _ready.Task.Status switch
    {
        TaskStatus.RanToCompletion => ModelState.Ready,
        TaskStatus.Faulted or TaskStatus.Canceled => ModelState.Failed,
        _ => ModelState.Loading,
    };

    /// <summary>Completes when the model is ready; faults with the load error.</summary>
    public Task<LlavaEngine> Ready => _ready.Task;

    /// <summary>Starts loading in the background; later calls do nothing.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(LoadAsync);
        }
    }

    public ModelStatus Status()
    {
        LlavaEngine? engine = State == ModelState.Ready ? _ready.Task.Result : null;
        return new ModelStatus(
            State,
            _stage,
            _error,
            engine?.Manifest.Variant,
            engine?.Manifest.Precision,
            engine?.Manifest.SourceCheckpoint,
            engine?.Options.ExecutionProvider,
            engine?.InFlight ?? 0,
            _uptime.Elapsed,
            engine?.Batching,
            engine?.MemoryBudget.BudgetBytes ?? 0,
            engine?.ReservedBytes ?? 0);
    }

    /// <summary>
    /// The engine, waiting up to <paramref name="timeout"/> for it to load. Throws
    /// <see cref="ModelNotReadyException"/> when it is still loading after that, or failed.
    /// </summary>
    public async Task<LlavaEngine> GetEngineAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Start();
        Task<LlavaEngine> ready = _ready.Task;
        if (!ready.IsCompleted)
        {
            try
            {
                await ready.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new ModelNotReadyException(ModelState.Loading, $"The model is still loading ({_stage}); try again shortly.", TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Reported below from the task's state.
            }
        }

        return ready.Status == TaskStatus.RanToCompletion
            ? ready.Result
            : throw new ModelNotReadyException(ModelState.Failed, $"The model failed to load: {_error}", TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        // Stops a load in progress; an engine that finishes loading anyway is disposed as soon as it exists.
        _stopping.Cancel();
        _ = _ready.Task.ContinueWith(
            static loaded => loaded.Result.Dispose(),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task LoadAsync()
    {
        Progress<ModelLoadProgress> progress = new(p => _stage = p.BytesTotal > 0 ? $"{p.Stage} {100.0 * p.BytesDone / p.BytesTotal:F0}%" : p.Stage);
        try
        {
            if (_options.ExecutionProvider == "cuda")
            {
                // A GPU host whose driver cannot run the app's CUDA fails here, by name, before a multi-GB download.
                _stage = "checking the NVIDIA driver";
                _cudaDriverCheck.EnsureSupported();
            }

            _stage = "acquiring model folder";
            string folder = await _acquireFolder(progress, _stopping.Token);
            _stage = "loading";
            LlavaEngine engine = await LlavaEngine.LoadAsync(_options with { ModelPath = folder }, progress, _engineLogger, _stopping.Token);
            _stage = "ready";
            Log.Ready(_logger, engine.Manifest.Variant, _uptime.Elapsed.TotalSeconds);
            _ready.TrySetResult(engine);
        }
        catch (Exception ex)
        {
            _error = ex.Message;
            _stage = "failed";
            Log.LoadFailed(_logger, ex);
            _ready.TrySetException(ex);
        }
    }

    // Event ids 200-299: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Information, "Model {Variant} ready {Seconds:F1} s after start")]
        public static partial void Ready(ILogger logger, string variant, double seconds);

        [LoggerMessage(202, LogLevel.Error, "The model failed to load")]
        public static partial void LoadFailed(ILogger logger, Exception exception);
    }
}
