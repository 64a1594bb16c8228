using Llava.ModelFormat;

namespace Llava.Inference.Tests.Preprocessing;

/// <summary>The llava-hf checkpoints' preprocessing settings (CLIP ViT-L/14-336 statistics, v1.6 pinpoints).</summary>
internal static class TestSettings
{
    public static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];

    public static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];

    public static VisionPreprocessing Clip { get; } = Create(anyRes: false);

    public static VisionPreprocessing Next { get; } = Create(anyRes: true);

    /// <summary>transformers' value for byte <paramref name="u"/> in channel <paramref name="c"/>, written out independently.</summary>
    public static float Normalised(int c, byte u) => ((float)(u * (1 / 255.0)) - Mean[c]) / Std[c];

    private static VisionPreprocessing Create(bool anyRes) => new()
    {
        ImageSize = 336,
        PatchSize = 14,
        ShortestEdge = 336,
        CropSize = 336,
        ImageMean = Mean,
        ImageStd = Std,
        RescaleFactor = 1 / 255.0,
        GridPinpoints = anyRes ? [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]] : [],
        FeaturesPerTile = 576,
        FeatureLayer = -2,
        SelectStrategy = "default",
        ImageNewline = anyRes,
    };
}
