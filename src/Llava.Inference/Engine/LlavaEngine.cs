using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Llava.Inference.Batching;
using Llava.Inference.Concurrency;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Loading;
using Llava.Inference.Prompts;
using Llava.ModelFormat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.Inference.Engine;

/// <summary>
/// One loaded LLaVA model, shared by all callers. Each request gets a fresh GenAI generator (no state survives
/// between requests), runs in one of a bounded number of generation slots, and streams its answer as UTF-8-safe
/// text deltas; the non-streaming call is built on the stream.
/// </summary>
public sealed partial class LlavaEngine : IDisposable
{
    private readonly Model _model;
    private readonly Tokenizer _tokenizer;
    private readonly GenerationGate _gate;
    private readonly GenerationBatcher _batcher;
    private readonly MemoryBudget _budget;
    private readonly PromptTemplate _template;
    private readonly ImagePreparation _images;
    private readonly HashSet<int> _eosTokenIds;
    private readonly bool _addBos;
    private int _disposed;

    private LlavaEngine(ModelFolder folder, LlavaEngineOptions options, Model model, Tokenizer tokenizer, ILogger logger)
    {
        Folder = folder;
        Options = options;
        _model = model;
        _tokenizer = tokenizer;
        _addBos = folder.AddBosToken;
        _template = PromptTemplate.For(folder.Manifest.PromptTemplate);
        _images = new ImagePreparation(folder.Manifest, options);
        _eosTokenIds = [.. folder.Manifest.EosTokenIds];
        _budget = new MemoryBudget(new RequestMemoryEstimator(ModelMemoryProfile.For(folder)), options.EffectiveMemoryBudgetBytes);
        int batch = options.EffectiveMaxBatchSize;

        // Slots count rows: every running generator's batch, admitted (decoding its images, waiting for its batch or
        // generating) before the queue starts.
        _gate = new GenerationGate(options.MaxConcurrentGenerations * batch, options.MaxQueuedRequests, options.MaxQueueWait, _budget.BudgetBytes);
        BatchGeneration generation = new(model, folder, _eosTokenIds, logger);
        _batcher = new GenerationBatcher(options.MaxConcurrentGenerations, batch, options.BatchWindow, folder.Manifest.ContextLength, EstimateBatch, _gate, generation.Run);
    }

    public ModelFolder Folder { get; }

    public ModelManifest Manifest => Folder.Manifest;

    public LlavaEngineOptions Options { get; }

    /// <summary>Requests admitted now (decoding their images, waiting for their batch or generating).</summary>
    public int InFlight => _gate.InFlight;

    /// <summary>Batches running and waiting now, and the batches run since loading.</summary>
    public BatchingStatus Batching => _batcher.Status();

    /// <summary>Estimated bytes reserved by the requests admitted now; at most <see cref="MemoryBudget"/>'s budget.</summary>
    public long ReservedBytes => _gate.ReservedBytes;

    /// <summary>The replica's memory budget and the estimator behind it.</summary>
    public MemoryBudget MemoryBudget => _budget;

    /// <summary>
    /// Validates the model folder and loads it into ONNX Runtime GenAI on a background thread, so a host can
    /// start serving (health, readiness) while a multi-GB model loads.
    /// </summary>
    public static async Task<LlavaEngine> LoadAsync(LlavaEngineOptions options, IProgress<ModelLoadProgress>? progress = null, ILogger<LlavaEngine>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid engine options: " + string.Join(" ", errors), nameof(options));
        }

        ILogger log = logger ?? NullLogger<LlavaEngine>.Instance;
        Stopwatch clock = Stopwatch.StartNew();
        ModelFolder folder = await ModelFolder.OpenAsync(options.ModelPath, options.Verification, progress, cancellationToken);
        folder.EnsureBuiltFor(options.ExecutionProvider);
        progress?.Report(new ModelLoadProgress("load", 0, 0));
        (Model model, Tokenizer tokenizer) = await Task.Run(() => CreateModel(folder.Path, options.ExecutionProvider, options.EffectiveIntraOpThreads, SessionOptionsOverlay(options)), cancellationToken);
        LlavaEngine engine = new(folder, options, model, tokenizer, log);
        Log.ModelLoaded(log, folder.Manifest.Variant, folder.Manifest.Precision, options.ExecutionProvider, folder.Path, clock.Elapsed.TotalSeconds);
        progress?.Report(new ModelLoadProgress("ready", 0, 0));
        return engine;
    }

    /// <summary>Asks one question about one image (the common case).</summary>
    public Task<GenerationResult> AskAsync(ReadOnlyMemory<byte> image, string question, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        GenerateAsync([PromptMessage.User(image, question)], options, cancellationToken);

    /// <summary>The whole answer, built on <see cref="StreamAsync"/>.</summary>
    public async Task<GenerationResult> GenerateAsync(IReadOnlyList<PromptMessage> messages, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        await foreach (GenerationUpdate update in StreamAsync(messages, options, cancellationToken))
        {
            if (update.Completion is { } completion)
            {
                return completion;
            }
        }

        throw new InvalidOperationException("The generation stream ended without a result.");
    }

    /// <summary>
    /// Streams the answer. Bad options fail first (<see cref="InvalidParameterException"/> naming the field); a request
    /// over a limit or the memory budget fails before any image is decoded (<see cref="RequestOverBudgetException"/>,
    /// <see cref="PromptTooLongException"/>, <see cref="Images.ImageRejectedException"/> for sizes read from headers);
    /// a full engine fails with <see cref="EngineBusyException"/>. The request's memory reservation is held from before
    /// its images are decoded until its generation ends. Cancellation is honoured between tokens.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> StreamAsync(IReadOnlyList<PromptMessage> messages, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= new GenerationOptions();
        options.Validate(Manifest.VocabSize);

        // Everything before the gate reads headers and text only: nothing is decoded until the request holds its
        // reservation, so open connections cannot decode more images than the budget allows.
        _gate.ThrowIfSaturated();
        RequestPlan plan;
        long bytes;

        // Reading and tokenizing counts as preparing too: a batch about to close waits for a request that has just
        // arrived (not for one queued behind full slots, which cannot join it).
        _batcher.BeginPreparing();
        try
        {
            plan = Plan(messages);
            ThrowIfOverContext(plan.PromptTokens, plan.ImageTokens, options.MaxNewTokens);
            bytes = _budget.Admit(plan.Shape(options.MaxNewTokens));
        }
        finally
        {
            _batcher.EndPreparing();
        }

        Stopwatch queueClock = Stopwatch.StartNew();
        GenerationGate.Lease lease = await _gate.EnterAsync(bytes, cancellationToken);
        TimeSpan queueWait = queueClock.Elapsed;
        PreparedPrompt prompt;
        _batcher.BeginPreparing();
        try
        {
            prompt = await MaterializeAsync(plan, cancellationToken);
            ThrowIfOverContext(prompt.TokenIds.Length, prompt.ImageTokenCount, options.MaxNewTokens);
        }
        catch
        {
            // Refused images, cancellation: the reservation goes back before the error does.
            lease.Dispose();
            throw;
        }
        finally
        {
            _batcher.EndPreparing();
        }

        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Unbounded: a batch never waits for one slow reader (its rows would stall with it); a row holds at most its
        // max_tokens updates.
        Channel<GenerationUpdate> channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        BatchRow row = new(prompt, options, lease, queueWait, channel.Writer, stop.Token);
        _batcher.Submit(row);
        try
        {
            await foreach (GenerationUpdate update in channel.Reader.ReadAllAsync(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            // The caller stopped reading (or was cancelled): its row stops at the next step of its batch.
            await stop.CancelAsync();
            await row.Finished;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Renders, tokenizes and preprocesses a request without generating (tests and diagnostics use it).</summary>
    public Task<PreparedPrompt> PrepareAsync(IReadOnlyList<PromptMessage> messages, CancellationToken cancellationToken = default) =>
        MaterializeAsync(Plan(messages), cancellationToken);

    /// <summary>What a request will cost, from its text and image headers (nothing decoded), as the budget sees it.</summary>
    public RequestShape Measure(IReadOnlyList<PromptMessage> messages, int maxNewTokens) => Plan(messages).Shape(maxNewTokens);

    /// <summary>Checks the messages, reads the image headers, renders and tokenizes: everything but decoding.</summary>
    private RequestPlan Plan(IReadOnlyList<PromptMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!messages.Any(m => m.Role == PromptRole.User))
        {
            throw new InvalidPromptException("A request needs at least one user message.");
        }

        string imageToken = Manifest.ImageToken;
        foreach (TextPart part in messages.SelectMany(m => m.Parts).OfType<TextPart>())
        {
            if (part.Text.Contains(imageToken, StringComparison.Ordinal))
            {
                throw new InvalidPromptException($"Prompt text must not contain the image placeholder '{imageToken}'; attach images as image parts.");
            }
        }

        long started = Stopwatch.GetTimestamp();
        ImagePart[] imageParts = [.. messages.SelectMany(m => m.Parts).OfType<ImagePart>()];
        ImagePlan[] images = _images.Plan(imageParts);
        string text = _template.Render(messages, imageToken);
        int[] encoded;
        using (Sequences sequences = _tokenizer.Encode(text))
        {
            encoded = sequences[0].ToArray();
        }

        int imageTokenId = Manifest.ImageTokenId;
        int placeholders = encoded.Count(id => id == imageTokenId);
        if (placeholders != imageParts.Length)
        {
            throw new InvalidOperationException($"The tokenizer produced {placeholders} image tokens for {imageParts.Length} images; the model folder's tokenizer does not match its manifest.");
        }

        bool bos = _addBos && Manifest.BosTokenId is not null;
        return new RequestPlan(text, encoded, images, bos, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Decodes and preprocesses the planned images and expands every image token.</summary>
    private async Task<PreparedPrompt> MaterializeAsync(RequestPlan plan, CancellationToken cancellationToken)
    {
        Stopwatch clock = Stopwatch.StartNew();
        PreparedImages images = await _images.PrepareAsync(plan.Images, cancellationToken);
        int imageTokenId = Manifest.ImageTokenId;
        List<int> ids = new(plan.TextTokens.Length + images.TokenCounts.Sum() + 1);
        if (plan.AddBos)
        {
            ids.Add(Manifest.BosTokenId!.Value);
        }

        int image = 0;
        foreach (int id in plan.TextTokens)
        {
            if (id == imageTokenId)
            {
                ids.AddRange(Enumerable.Repeat(imageTokenId, images.TokenCounts[image++]));
            }
            else
            {
                ids.Add(id);
            }
        }

        return new PreparedPrompt
        {
            Text = plan.Text,
            TokenIds = [.. ids],
            UnexpandedTokenIds = plan.AddBos ? [Manifest.BosTokenId!.Value, .. plan.TextTokens] : plan.TextTokens,
            ImageTokenCount = images.FeatureIndex.Length,
            TileCount = images.TileCount,
            PixelValues = images.PixelValues,
            FeatureIndex = images.FeatureIndex,
            PreprocessTime = plan.PlanTime + clock.Elapsed,
        };
    }

    /// <summary>Prompt plus answer against the context, in 64 bits: max_tokens near int.MaxValue must not wrap.</summary>
    private void ThrowIfOverContext(int promptTokens, int imageTokens, int maxNewTokens)
    {
        int contextLength = Manifest.ContextLength;
        if ((long)promptTokens + maxNewTokens > contextLength)
        {
            throw new PromptTooLongException(promptTokens, imageTokens, maxNewTokens, contextLength);
        }
    }

    /// <summary>A batch's estimated peak: every row padded to the longest prompt and answer, all tiles in one vision run.</summary>
    private RequestMemoryEstimate EstimateBatch(IReadOnlyList<BatchRow> rows)
    {
        RequestShape padded = new(
            rows.Max(r => r.Prompt.TokenIds.Length),
            rows.Max(r => r.Options.MaxNewTokens),
            rows.Sum(r => r.Prompt.TileCount),
            rows.Sum(r => r.Prompt.ImageTokenCount),
            0,
            0,
            0);
        return _budget.Estimator.EstimateBatch(padded, rows.Count);
    }

    /// <summary>Decodes token ids to text as transformers' decode(ids, skip_special_tokens=True) does.</summary>
    public string Decode(ReadOnlySpan<int> ids) => AnswerTextDecoder.DecodeAll(Folder.AnswerDecoding, ids);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Running batches stop at their next step and their rows are answered before the model goes.
        _batcher.Dispose();
        _tokenizer.Dispose();
        _model.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// Session options besides the thread count, as a GenAI config overlay. The vision and embedding sessions
    /// inherit the decoder's session options.
    /// </summary>
    private static string SessionOptionsOverlay(LlavaEngineOptions options) =>
        "{\"model\":{\"decoder\":{\"session_options\":{\"enable_cpu_mem_arena\":" + (options.EnableCpuMemoryArena ? "true" : "false") + "}}}}";

    private static (Model Model, Tokenizer Tokenizer) CreateModel(string path, string provider, int intraOpThreads, string sessionOverlay)
    {
        using Config config = new(path);
        config.ClearProviders();
        if (provider == "cuda")
        {
            // The vision and embedding sessions inherit the decoder's provider.
            config.AppendProvider("cuda");
        }

        if (intraOpThreads > 0)
        {
            // GenAI does not give its sessions ONNX Runtime's default of one thread per core; left alone, prefill
            // and decode ran 40-70% slower than the same graphs in a plain InferenceSession (llava bench). The
            // vision and embedding sessions inherit the decoder's session options.
            string overlay = "{\"model\":{\"decoder\":{\"session_options\":{\"intra_op_num_threads\":" + intraOpThreads.ToString(CultureInfo.InvariantCulture) + "}}}}";
            config.Overlay(overlay);
        }

        config.Overlay(sessionOverlay);
        Model model = new(config);
        try
        {
            return (model, new Tokenizer(model));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Event ids 300-399: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Information, "Loaded {Variant} ({Precision}) on {Provider} from {Path} in {Seconds:F1} s")]
        public static partial void ModelLoaded(ILogger logger, string variant, string precision, string provider, string path, double seconds);

    }
}
