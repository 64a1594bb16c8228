using Llava.Inference.Preprocessing;

namespace Llava.Inference.Tests.Preprocessing;

/// <summary>Reads pixel (x, y) of a tile out of [tiles, 3, size, size] pixel values.</summary>
internal static class TileReader
{
    public static (float R, float G, float B) At(PreprocessedImage image, int tile, int x, int y)
    {
        ReadOnlySpan<float> values = image.PixelValues.Span;
        int side = image.TileSize;
        int plane = side * side;
        int at = (tile * 3 * plane) + (y * side) + x;
        return (values[at], values[at + plane], values[at + (2 * plane)]);
    }

    public static (float R, float G, float B) Expected(byte r, byte g, byte b) =>
        (TestSettings.Normalised(0, r), TestSettings.Normalised(1, g), TestSettings.Normalised(2, b));
}
