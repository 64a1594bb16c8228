namespace Llava.Inference.Engine;

/// <summary>
/// Everything a generator needs for one request, built before a generation slot is taken: the token ids with
/// every image token expanded, the pixel values of all tiles of all images (float32 or float16 as the model
/// declares), and the vision graph's feature-row index.
/// </summary>
public sealed record PreparedPrompt
{
    public required string Text { get; init; }

    public required int[] TokenIds { get; init; }

    /// <summary>
    /// The same ids before expansion: each image token once, as the chat template and tokenizer write it (BOS
    /// included). transformers' processor (v4.45+) expands it to <see cref="ImageTokenCount"/> copies per image.
    /// </summary>
    public required int[] UnexpandedTokenIds { get; init; }

    public required int ImageTokenCount { get; init; }

    public required int TileCount { get; init; }

    /// <summary>float[] or Half[] of tiles x 3 x S x S; empty when the prompt has no image.</summary>
    public required Array PixelValues { get; init; }

    public required long[] FeatureIndex { get; init; }

    public required TimeSpan PreprocessTime { get; init; }
}
