namespace Llava.TinyCheckpoints;

/// <summary>The widths and depths of a generated checkpoint; everything else (vocabulary, geometry, ids) is the family's.</summary>
public sealed record TinyModelSize
{
    public required int TextHiddenSize { get; init; }

    public required int TextLayers { get; init; }

    public required int TextHeads { get; init; }

    /// <summary>Key/value heads of the families that use grouped-query attention (mistral, 34b); the others use <see cref="TextHeads"/>.</summary>
    public required int TextGroupedKeyValueHeads { get; init; }

    public required int TextIntermediateSize { get; init; }

    public required int VisionHiddenSize { get; init; }

    public required int VisionLayers { get; init; }

    public required int VisionHeads { get; init; }

    public required int VisionIntermediateSize { get; init; }

    /// <summary>The refharness tiny sizes (make_tiny_hf.py): text 64 / 2 layers / 4 heads / MLP 128, vision 32 / 3 layers / 4 heads / MLP 64.</summary>
    public static TinyModelSize Tiny { get; } = new()
    {
        TextHiddenSize = 64,
        TextLayers = 2,
        TextHeads = 4,
        TextGroupedKeyValueHeads = 2,
        TextIntermediateSize = 128,
        VisionHiddenSize = 32,
        VisionLayers = 3,
        VisionHeads = 4,
        VisionIntermediateSize = 64,
    };

    /// <summary>
    /// Real LLaVA proportions at benchmark scale (about 160 M parameters with a 32064 vocabulary): head dim 64,
    /// 4:1 GQA, MLP ~2.75x hidden as Llama, CLIP-like 4x MLP with head dim 64.
    /// </summary>
    public static TinyModelSize MidSize { get; } = new()
    {
        TextHiddenSize = 1024,
        TextLayers = 8,
        TextHeads = 16,
        TextGroupedKeyValueHeads = 4,
        TextIntermediateSize = 2816,
        VisionHiddenSize = 256,
        VisionLayers = 6,
        VisionHeads = 4,
        VisionIntermediateSize = 1024,
    };
}
