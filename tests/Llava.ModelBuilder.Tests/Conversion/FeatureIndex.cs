using Llava.Inference.Preprocessing;
using Llava.Testing.Golden;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>The vision graph's row index for a golden case, from the runtime's anyres geometry.</summary>
internal static class FeatureIndex
{
    private static readonly (int Height, int Width)[] s_pinpoints = [(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)];

    public static long[] For(GoldenCase golden)
    {
        if (golden.Family == "llava-1.5")
        {
            return [.. Enumerable.Range(0, 576).Select(i => (long)i)];
        }

        AnyResGeometry geometry = AnyResGeometry.Create(golden.ImageWidth, golden.ImageHeight, s_pinpoints, 336, 14);
        List<long> index = [];
        geometry.AppendFeatureIndex(index, 0, geometry.TileCount * 576L);
        return [.. index];
    }
}
