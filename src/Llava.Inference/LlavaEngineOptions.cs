using Llava.Inference.Loading;

namespace Llava.Inference;

/// <summary>Settings of one loaded model. Validate() is called before loading.</summary>
public sealed record LlavaEngineOptions
{
    /// <summary>Folder written by <c>llava convert</c>.</summary>
    public string ModelPath { get; init; } = "";

    /// <summary><c>cpu</c> or <c>cuda</c> (the CUDA build of the app).</summary>
    public string ExecutionProvider { get; init; } = "cpu";

    /// <summary>
    /// Generators running at once on the model, each answering a batch of up to <see cref="EffectiveMaxBatchSize"/>
    /// requests. 1 is right on a GPU (GenAI runs all sessions on one CUDA stream, so a second generator only takes
    /// turns) and on CPU (a second one splits the same cores); batching is how a replica serves more at once.
    /// </summary>
    public int MaxConcurrentGenerations { get; init; } = 1;

    /// <summary>Default <see cref="MaxBatchSize"/> on CPU (docs/performance.md, "Batching").</summary>
    public const int DefaultCpuMaxBatchSize = 8;

    /// <summary>Default <see cref="MaxBatchSize"/> on CUDA (docs/performance.md, "Batching").</summary>
    public const int DefaultCudaMaxBatchSize = 8;

    /// <summary>Largest batch allowed: more rows than this in one generator is never useful here.</summary>
    public const int MaxAllowedBatchSize = 64;

    /// <summary>
    /// Most requests answered together by one generator (GenAI static batching: one pass over the weights per step
    /// for all of them). Null picks the provider's default; 1 turns batching off.
    /// </summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>The batch size in force: <see cref="MaxBatchSize"/> or the provider's default.</summary>
    public int EffectiveMaxBatchSize => MaxBatchSize ?? (ExecutionProvider == "cuda" ? DefaultCudaMaxBatchSize : DefaultCpuMaxBatchSize);

    /// <summary>
    /// How long a prepared request waits for others to share its batch (longer while admitted requests are still
    /// decoding their images; never when the batch is full or batching is off). 100 ms: a burst of HTTP requests or
    /// of trigger messages is read, downloaded and decoded over tens of milliseconds, and 20 ms split eight
    /// concurrent chat completions into two batches (docs/performance.md); interactive deployments that rarely see
    /// two requests at once can lower it.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Requests that may wait for a slot (beyond the rows of the running batches) before new ones are refused as busy.</summary>
    public int MaxQueuedRequests { get; init; } = 8;

    /// <summary>How long a request may wait for a slot before it is refused as busy.</summary>
    public TimeSpan MaxQueueWait { get; init; } = TimeSpan.FromSeconds(30);

    public ChecksumVerification Verification { get; init; } = ChecksumVerification.Full;

    /// <summary>
    /// ONNX Runtime intra-op threads for the model's sessions; 0 means one per processor on CPU and ONNX
    /// Runtime's own choice on CUDA, where the GPU does the work.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>The thread count actually requested (0: leave ONNX Runtime's default).</summary>
    public int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : ExecutionProvider == "cpu" ? Environment.ProcessorCount : 0;

    /// <summary>Largest encoded image accepted.</summary>
    public long MaxImageBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Largest decoded image accepted (width x height).</summary>
    public long MaxImagePixels { get; init; } = 40_000_000;

    /// <summary>
    /// LLaVA-1.5 only: pad images to a square with the mean colour (the original LLaVA repository's
    /// <c>image_aspect_ratio="pad"</c>) instead of transformers' centre crop. Ignored for LLaVA-NeXT, whose anyres
    /// grid already keeps the whole image.
    /// </summary>
    public bool PadToSquare { get; init; }

    /// <summary>Most images in one request.</summary>
    public int MaxImagesPerRequest { get; init; } = 4;

    /// <summary>Default <see cref="MemoryBudgetBytes"/> on CPU: 4 GiB of host memory for requests, besides the weights.</summary>
    public const long DefaultCpuMemoryBudgetBytes = 4L << 30;

    /// <summary>
    /// Default <see cref="MemoryBudgetBytes"/> on CUDA: 6 GiB, sized for a 16 GB T4 holding a 7B int4 model (about 4.5 GB
    /// of weights plus the CUDA context). On an 80 GB A100 set 48 GiB (see docs/performance.md).
    /// </summary>
    public const long DefaultCudaMemoryBudgetBytes = 6L << 30;

    /// <summary>
    /// Memory one replica may spend on requests, besides the resident weights: every request's estimated peak
    /// (decoded images, pixel tensors, vision activations, embeddings, KV cache, attention workspace, logits) is
    /// reserved from it before its images are decoded, and a request that alone exceeds it is refused. Null picks
    /// the provider's default.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The budget in force: <see cref="MemoryBudgetBytes"/> or the provider's default.</summary>
    public long EffectiveMemoryBudgetBytes => MemoryBudgetBytes ?? (ExecutionProvider == "cuda" ? DefaultCudaMemoryBudgetBytes : DefaultCpuMemoryBudgetBytes);

    /// <summary>
    /// Largest intermediate RGB buffer of preprocessing (LLaVA-1.5's resize output or pad canvas), in pixels: bounds
    /// extreme aspect ratios, which the stored-pixel limit does not (1 x 6000 becomes 336 x 2,016,000).
    /// </summary>
    public long MaxIntermediatePixels { get; init; } = Preprocessing.ImagePreprocessingOptions.DefaultMaxIntermediatePixels;

    /// <summary>
    /// ONNX Runtime's CPU memory arena. Off by default: the arena keeps the largest prefill's buffers for the life of
    /// the process (a 20k-token prompt left 15 GB resident), while plain allocations go back to the system after each
    /// request; the cost in speed is measured in docs/performance.md.
    /// </summary>
    public bool EnableCpuMemoryArena { get; init; }

    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            errors.Add("ModelPath is required: the folder written by `llava convert`.");
        }

        if (ExecutionProvider is not ("cpu" or "cuda"))
        {
            errors.Add($"ExecutionProvider must be 'cpu' or 'cuda'; got '{ExecutionProvider}'.");
        }

        if (MaxConcurrentGenerations < 1)
        {
            errors.Add("MaxConcurrentGenerations must be at least 1.");
        }

        if (MaxBatchSize is < 1 or > MaxAllowedBatchSize)
        {
            errors.Add($"MaxBatchSize must be between 1 and {MaxAllowedBatchSize}; got {MaxBatchSize}.");
        }

        if (BatchWindow < TimeSpan.Zero || BatchWindow > TimeSpan.FromSeconds(1))
        {
            errors.Add($"BatchWindow must be between 0 and 1 s; got {BatchWindow.TotalMilliseconds} ms.");
        }

        if (IntraOpThreads < 0)
        {
            errors.Add("IntraOpThreads must not be negative.");
        }

        if (MaxQueuedRequests < 0)
        {
            errors.Add("MaxQueuedRequests must not be negative.");
        }

        if (MaxQueueWait < TimeSpan.Zero)
        {
            errors.Add("MaxQueueWait must not be negative.");
        }

        if (MaxImageBytes < 1 || MaxImagePixels < 1 || MaxImagesPerRequest < 1)
        {
            errors.Add("Image limits must be positive.");
        }

        if (MemoryBudgetBytes is < 64L << 20)
        {
            errors.Add($"MemoryBudgetBytes must be at least 64 MiB; got {MemoryBudgetBytes}.");
        }

        if (MaxIntermediatePixels < 336L * 336)
        {
            errors.Add($"MaxIntermediatePixels must be at least one 336 x 336 tile; got {MaxIntermediatePixels}.");
        }

        return errors;
    }
}
