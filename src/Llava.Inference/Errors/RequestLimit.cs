namespace Llava.Inference.Errors;

/// <summary>The names of the per-request limits a <see cref="RequestOverBudgetException"/> can report.</summary>
public static class RequestLimit
{
    /// <summary>Images in one request: the engine's <c>MaxImagesPerRequest</c>.</summary>
    public const string Images = "images";

    /// <summary>Prompt tokens (text plus image tokens) the memory budget allows for this request's images and answer length.</summary>
    public const string PromptTokens = "prompt_tokens";

    /// <summary>Pixels (width x height, from the image headers) of the largest image the memory budget allows.</summary>
    public const string ImagePixels = "image_pixels";

    /// <summary>Estimated peak bytes of the whole request against the replica's memory budget.</summary>
    public const string MemoryBytes = "memory_bytes";
}
