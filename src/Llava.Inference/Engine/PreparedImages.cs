namespace Llava.Inference.Engine;

/// <summary>All images of one request, concatenated in prompt order for the vision graph.</summary>
internal sealed record PreparedImages(Array PixelValues, int TileCount, long[] FeatureIndex, IReadOnlyList<int> TokenCounts);
