using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
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
    private readonly MemoryBudget _budget;
    private readonly PromptTemplate _template;
    private readonly ImagePreparation _images;
    private readonly HashSet<int> _eosTokenIds;
    private readonly ILogger _logger;
    private readonly bool _addBos;
    private int _disposed;

    private LlavaEngine(ModelFolder folder, LlavaEngineOptions options, Model model, Tokenizer tokenizer, ILogger logger)
    {
        Folder = folder;
        Options = options;
        _model = model;
        _tokenizer = tokenizer;
        _logger = logger;
        _addBos = folder.AddBosToken;
        _template = PromptTemplate.For(folder.Manifest.PromptTemplate);
        _images = new ImagePreparation(folder.Manifest, options);
        _eosTokenIds = [.. folder.Manifest.EosTokenIds];
        _budget = new MemoryBudget(new RequestMemoryEstimator(ModelMemoryProfile.Read(folder.Path, folder.Manifest)), options.EffectiveMemoryBudgetBytes);
        _gate = new GenerationGate(options.MaxConcurrentGenerations, options.MaxQueuedRequests, options.MaxQueueWait, _budget.BudgetBytes);
    }

    public ModelFolder Folder { get; }

    public ModelManifest Manifest => Folder.Manifest;

    public LlavaEngineOptions Options { get; }

    /// <summary>Requests admitted now (decoding their images or generating).</summary>
    public int InFlight => _gate.InFlight;

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
        RequestPlan plan = Plan(messages);
        ThrowIfOverContext(plan.PromptTokens, plan.ImageTokens, options.MaxNewTokens);
        long bytes = _budget.Admit(plan.Shape(options.MaxNewTokens));

        Stopwatch queueClock = Stopwatch.StartNew();
        GenerationGate.Lease lease = await _gate.EnterAsync(bytes, cancellationToken);
        TimeSpan queueWait = queueClock.Elapsed;
        PreparedPrompt prompt;
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

        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Bounded: the generator runs at most a token ahead of the reader, so a slow client applies
        // backpressure and cancellation is seen within a token.
        Channel<GenerationUpdate> channel = Channel.CreateBounded<GenerationUpdate>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        Task producer = Task.Run(
            () =>
            {
                try
                {
                    Generate(prompt, options, queueWait, channel.Writer, stop.Token);
                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
                finally
                {
                    lease.Dispose();
                    MemoryReturn.AfterRequest(lease.Bytes);
                }
            },
            CancellationToken.None);

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
            // The caller stopped reading (or was cancelled): stop generating at the next token.
            await stop.CancelAsync();
            await producer;
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

    /// <summary>Decodes token ids to text as transformers' decode(ids, skip_special_tokens=True) does.</summary>
    public string Decode(ReadOnlySpan<int> ids) => AnswerTextDecoder.DecodeAll(Folder.AnswerDecoding, ids);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

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

    /// <summary>Runs one request on a fresh generator, writing deltas to the channel. Blocking: runs on the thread pool.</summary>
    private void Generate(PreparedPrompt prompt, GenerationOptions options, TimeSpan queueWait, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
    {
        List<GCHandle> pins = [];
        List<Tensor> tensors = [];
        try
        {
            using GeneratorParams parameters = new(_model);
            parameters.SetSearchOption("max_length", prompt.TokenIds.Length + options.MaxNewTokens);
            if (options.IsSampling)
            {
                parameters.SetSearchOption("do_sample", true);
                parameters.SetSearchOption("temperature", options.Temperature!.Value);
                parameters.SetSearchOption("top_p", options.TopP ?? 1.0);
                parameters.SetSearchOption("top_k", options.TopK ?? 0);
                if (options.Seed is ulong seed)
                {
                    parameters.SetSearchOption("random_seed", seed % int.MaxValue);
                }
            }
            else
            {
                parameters.SetSearchOption("do_sample", false);
            }

            if (options.RepetitionPenalty is float penalty)
            {
                parameters.SetSearchOption("repetition_penalty", penalty);
            }

            if (options.Constraint is { } constraint)
            {
                parameters.SetGuidance(constraint.Kind, constraint.Definition, true);
            }

            using Generator generator = CreateGenerator(parameters, options.Constraint);
            if (prompt.FeatureIndex.Length > 0)
            {
                ElementType pixelType = prompt.PixelValues is Half[] ? ElementType.float16 : ElementType.float32;
                SetInput(generator, "pixel_values", prompt.PixelValues, [prompt.TileCount, 3, Manifest.Vision.ImageSize, Manifest.Vision.ImageSize], pixelType, pins, tensors);
                SetInput(generator, "image_feature_index", prompt.FeatureIndex, [prompt.FeatureIndex.Length], ElementType.int64, pins, tensors);
                SetInput(generator, "num_image_tokens", new long[] { prompt.FeatureIndex.Length }, [1], ElementType.int64, pins, tensors);
            }

            AnswerTextDecoder stream = new(Folder.AnswerDecoding);
            StopSequenceMatcher stops = new(options.StopSequences);
            List<int> generated = [];
            System.Text.StringBuilder text = new();
            Stopwatch clock = Stopwatch.StartNew();
            TimeSpan firstToken = TimeSpan.Zero;
            FinishReason reason = FinishReason.Length;

            generator.AppendTokens(prompt.TokenIds);
            int seen = prompt.TokenIds.Length;
            bool finished = false;
            while (!finished && !generator.IsDone())
            {
                cancellationToken.ThrowIfCancellationRequested();
                generator.GenerateNextToken();

                // Usually one new token per step; guidance may fast-forward several, and a final step may add none.
                int[] fresh = generator.GetSequence(0)[seen..].ToArray();
                seen += fresh.Length;
                foreach (int token in fresh)
                {
                    generated.Add(token);
                    if (generated.Count == 1)
                    {
                        firstToken = clock.Elapsed;
                    }

                    if (_eosTokenIds.Contains(token))
                    {
                        reason = FinishReason.EndOfTurn;
                        finished = true;
                        break;
                    }

                    (string emit, bool stopped) = stops.Push(stream.Decode(token));
                    if (emit.Length > 0)
                    {
                        text.Append(emit);
                        Emit(output, new GenerationUpdate(emit, token, null), cancellationToken);
                    }

                    if (stopped)
                    {
                        reason = FinishReason.StopSequence;
                        finished = true;
                        break;
                    }

                    if (generated.Count >= options.MaxNewTokens)
                    {
                        finished = true;
                        break;
                    }
                }
            }

            if (reason == FinishReason.Length && generated.Count < options.MaxNewTokens)
            {
                // GenAI ended the sequence itself before the budget ran out: a constraint's grammar completed.
                reason = FinishReason.EndOfTurn;
            }

            if (reason != FinishReason.StopSequence)
            {
                string rest = stops.Flush(stream.Flush());
                if (rest.Length > 0)
                {
                    text.Append(rest);
                    Emit(output, new GenerationUpdate(rest, null, null), cancellationToken);
                }
            }

            TimeSpan total = clock.Elapsed;
            GenerationUsage usage = new(prompt.TokenIds.Length, prompt.ImageTokenCount, generated.Count);
            GenerationTimings timings = new(prompt.PreprocessTime, queueWait, firstToken, total - firstToken, generated.Count);
            Log.Generated(_logger, usage.PromptTokens, usage.ImageTokens, usage.CompletionTokens, reason, timings.TimeToFirstToken.TotalMilliseconds, timings.DecodeTokensPerSecond);
            Emit(output, new GenerationUpdate("", null, new GenerationResult(text.ToString(), reason, usage, timings, generated)), cancellationToken);
        }
        finally
        {
            foreach (Tensor tensor in tensors)
            {
                tensor.Dispose();
            }

            foreach (GCHandle pin in pins)
            {
                pin.Free();
            }
        }
    }

    /// <summary>
    /// The generator; GenAI compiles a constraint's grammar here, so a schema or pattern llguidance refuses (one our
    /// own checks cannot see, such as a regex feature it lacks) is the caller's invalid parameter, not a crash.
    /// </summary>
    private Generator CreateGenerator(GeneratorParams parameters, OutputConstraint? constraint)
    {
        try
        {
            return new Generator(_model, parameters);
        }
        catch (OnnxRuntimeGenAIException e) when (constraint is not null)
        {
            throw new InvalidParameterException(GenerationParameterNames.ResponseFormat, $"response_format: the {constraint.Kind} constraint cannot be compiled: {e.Message}", e);
        }
    }

    /// <summary>Hands an update to the reader, waiting while it is still busy with the previous one.</summary>
    private static void Emit(ChannelWriter<GenerationUpdate> output, GenerationUpdate update, CancellationToken cancellationToken)
    {
        if (!output.TryWrite(update))
        {
            output.WriteAsync(update, cancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }

    private static void SetInput(Generator generator, string name, Array data, long[] shape, ElementType type, List<GCHandle> pins, List<Tensor> tensors)
    {
        // GenAI wraps the memory without copying: it stays pinned until the generator is gone.
        GCHandle pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        pins.Add(pin);
        Tensor tensor = new(pin.AddrOfPinnedObject(), shape, type);
        tensors.Add(tensor);
        generator.SetModelInput(name, tensor);
    }

    // Event ids 300-399: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Information, "Loaded {Variant} ({Precision}) on {Provider} from {Path} in {Seconds:F1} s")]
        public static partial void ModelLoaded(ILogger logger, string variant, string precision, string provider, string path, double seconds);

        [LoggerMessage(302, LogLevel.Information, "Generated {CompletionTokens} tokens for a {PromptTokens}-token prompt ({ImageTokens} image tokens), finish {FinishReason}, first token {TimeToFirstTokenMs:F0} ms, {TokensPerSecond:F1} tokens/s")]
        public static partial void Generated(ILogger logger, int promptTokens, int imageTokens, int completionTokens, FinishReason finishReason, double timeToFirstTokenMs, double tokensPerSecond);
    }
}
