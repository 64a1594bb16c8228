using Llava.Inference.Loading;
using Llava.ModelFormat;

namespace Llava.Inference.Engine;

/// <summary>
/// The model dimensions that decide how much memory one request needs: the decoder's from GenAI's
/// <c>genai_config.json</c> (layers, heads, head size, hidden size, vocabulary), the vision side and the attention
/// kind from the manifest. The vision tower's own width is not recorded anywhere, so it is taken as LLaVA's CLIP
/// ViT-L/14 (an upper bound for the smaller towers of test models).
/// </summary>
public sealed record ModelMemoryProfile
{
    public required int Layers { get; init; }

    public required int AttentionHeads { get; init; }

    public required int KeyValueHeads { get; init; }

    public required int HeadSize { get; init; }

    public required int HiddenSize { get; init; }

    public required int VocabSize { get; init; }

    public required int ContextLength { get; init; }

    /// <summary>Bytes of one activation or cache element: 2 for fp16 models, 4 otherwise (int4 computes in fp32).</summary>
    public required int ActivationBytes { get; init; }

    /// <summary>One of <see cref="AttentionKind"/> (the manifest's <c>attention</c>).</summary>
    public required string DecoderAttention { get; init; }

    /// <summary>Side of a vision tile in pixels.</summary>
    public required int TileSize { get; init; }

    /// <summary>Vision tower sequence per tile: one row per patch plus the class token.</summary>
    public required int VisionTokensPerTile { get; init; }

    /// <summary>Vision tower width (CLIP ViT-L/14: 1024).</summary>
    public int VisionHiddenSize { get; init; } = 1024;

    /// <summary>Vision tower heads (CLIP ViT-L/14: 16).</summary>
    public int VisionHeads { get; init; } = 16;

    /// <summary>The profile of an opened model folder (its manifest and the genai_config.json it read).</summary>
    public static ModelMemoryProfile For(ModelFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ModelManifest manifest = folder.Manifest;
        GenAiDecoderConfig decoder = folder.Decoder;
        int patches = manifest.Vision.ImageSize / manifest.Vision.PatchSize;
        return new ModelMemoryProfile
        {
            Layers = decoder.Layers,
            AttentionHeads = decoder.AttentionHeads,
            KeyValueHeads = decoder.KeyValueHeads,
            HeadSize = decoder.HeadSize,
            HiddenSize = manifest.HiddenSize,
            VocabSize = manifest.VocabSize,
            ContextLength = manifest.ContextLength,
            ActivationBytes = manifest.Precision == "fp16" ? 2 : 4,
            DecoderAttention = manifest.Attention,
            TileSize = manifest.Vision.ImageSize,
            VisionTokensPerTile = (patches * patches) + 1,
        };
    }
}
