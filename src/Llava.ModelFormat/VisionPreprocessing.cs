using System.Text.Json.Serialization;

namespace Llava.ModelFormat;

/// <summary>Everything the runtime needs to turn an image into pixel values and feature rows.</summary>
public sealed record VisionPreprocessing
{
    /// <summary>Side of one square tile in pixels (336 for every LLaVA checkpoint).</summary>
    [JsonPropertyName("image_size")]
    public required int ImageSize { get; init; }

    [JsonPropertyName("patch_size")]
    public required int PatchSize { get; init; }

    /// <summary>CLIPImageProcessor's resize target for the shortest edge (LLaVA-1.5).</summary>
    [JsonPropertyName("shortest_edge")]
    public required int ShortestEdge { get; init; }

    [JsonPropertyName("crop_size")]
    public required int CropSize { get; init; }

    [JsonPropertyName("image_mean")]
    public required IReadOnlyList<float> ImageMean { get; init; }

    [JsonPropertyName("image_std")]
    public required IReadOnlyList<float> ImageStd { get; init; }

    [JsonPropertyName("rescale_factor")]
    public required double RescaleFactor { get; init; }

    /// <summary>Anyres candidate resolutions as [height, width]; empty for LLaVA-1.5.</summary>
    [JsonPropertyName("grid_pinpoints")]
    public required IReadOnlyList<IReadOnlyList<int>> GridPinpoints { get; init; }

    /// <summary>Feature rows one tile yields after the select strategy (576, or 577 for "full").</summary>
    [JsonPropertyName("features_per_tile")]
    public required int FeaturesPerTile { get; init; }

    [JsonPropertyName("feature_layer")]
    public required int FeatureLayer { get; init; }

    [JsonPropertyName("select_strategy")]
    public required string SelectStrategy { get; init; }

    /// <summary>True for LLaVA-NeXT: a learned newline row closes every row of the unpadded grid.</summary>
    [JsonPropertyName("image_newline")]
    public required bool ImageNewline { get; init; }
}
