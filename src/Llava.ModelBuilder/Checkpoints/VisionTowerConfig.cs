namespace Llava.ModelBuilder.Checkpoints;

/// <summary>The CLIP vision tower's hyper-parameters (CLIPVisionConfig semantics and defaults).</summary>
public sealed record VisionTowerConfig
{
    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int NumHiddenLayers { get; init; }

    public required int NumAttentionHeads { get; init; }

    public required int ImageSize { get; init; }

    public required int PatchSize { get; init; }

    public required int NumChannels { get; init; }

    public required double LayerNormEps { get; init; }

    public required string HiddenAct { get; init; }

    /// <summary>Patches along one side of a tile: 336 / 14 = 24.</summary>
    public int PatchesPerSide => ImageSize / PatchSize;

    /// <summary>Positions in the encoder: one per patch plus the CLS token (577 for ViT-L/14-336).</summary>
    public int NumPositions => (PatchesPerSide * PatchesPerSide) + 1;
}
