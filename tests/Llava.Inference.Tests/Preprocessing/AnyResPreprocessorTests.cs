using Llava.Inference.Preprocessing;
using Llava.Inference.Tests.Images;
using Llava.ModelFormat;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Preprocessing;

public sealed class AnyResPreprocessorTests
{
    private static readonly AnyResPreprocessor s_anyRes = new(TestSettings.Next);

    private static readonly Rgb24 s_topLeft = new(255, 0, 0);
    private static readonly Rgb24 s_topRight = new(0, 255, 0);
    private static readonly Rgb24 s_bottomLeft = new(0, 0, 255);
    private static readonly Rgb24 s_bottomRight = new(250, 240, 10);

    private static void AssertTileIs(PreprocessedImage image, int tile, Rgb24 colour)
    {
        (float R, float G, float B) expected = TileReader.Expected(colour.R, colour.G, colour.B);
        for (int y = 0; y < 336; y += 5)
        {
            for (int x = 0; x < 336; x += 5)
            {
                Assert.Equal(expected, TileReader.At(image, tile, x, y));
            }
        }
    }

    [Fact]
    public void Quadrants_land_in_row_major_tiles_after_the_base_tile()
    {
        using Image<Rgb24> image = SyntheticImages.Pattern(672, 672, (x, y) => (x < 336, y < 336) switch
        {
            (true, true) => s_topLeft,
            (false, true) => s_topRight,
            (true, false) => s_bottomLeft,
            _ => s_bottomRight,
        });

        PreprocessedImage result = s_anyRes.Preprocess(image);

        Assert.Equal(5, result.TileCount);
        Assert.Equal([5L, 3, 336, 336], result.Shape);
        AssertTileIs(result, 1, s_topLeft);
        AssertTileIs(result, 2, s_topRight);
        AssertTileIs(result, 3, s_bottomLeft);
        AssertTileIs(result, 4, s_bottomRight);
        // The base tile is the whole image squashed to 336: the quadrants shrink into its corners.
        Assert.Equal(TileReader.Expected(255, 0, 0), TileReader.At(result, 0, 10, 10));
        Assert.Equal(TileReader.Expected(0, 255, 0), TileReader.At(result, 0, 325, 10));
        Assert.Equal(TileReader.Expected(0, 0, 255), TileReader.At(result, 0, 10, 325));
        Assert.Equal(TileReader.Expected(250, 240, 10), TileReader.At(result, 0, 325, 325));
    }

    [Fact]
    public void Wide_and_tall_strips_are_cut_left_to_right_and_top_to_bottom()
    {
        Rgb24[] colours = [s_topLeft, s_topRight, s_bottomLeft];
        using Image<Rgb24> wide = SyntheticImages.Pattern(1008, 336, (x, _) => colours[x / 336]);
        using Image<Rgb24> tall = SyntheticImages.Pattern(336, 1008, (_, y) => colours[y / 336]);

        PreprocessedImage fromWide = s_anyRes.Preprocess(wide);
        PreprocessedImage fromTall = s_anyRes.Preprocess(tall);

        Assert.Equal((336, 1008), (fromWide.Geometry!.BestHeight, fromWide.Geometry.BestWidth));
        Assert.Equal((1008, 336), (fromTall.Geometry!.BestHeight, fromTall.Geometry.BestWidth));
        for (int i = 0; i < 3; i++)
        {
            AssertTileIs(fromWide, 1 + i, colours[i]);
            AssertTileIs(fromTall, 1 + i, colours[i]);
        }
    }

    [Fact]
    public void Padding_is_black_before_normalisation_and_centred()
    {
        // 500 x 300 -> best 336 x 672 (h x w), fitted 560 x 336, 56 black columns on each side.
        using Image<Rgb24> image = SyntheticImages.Uniform(500, 300, new Rgb24(10, 20, 30));

        PreprocessedImage result = s_anyRes.Preprocess(image);

        AnyResGeometry geometry = result.Geometry!;
        Assert.Equal((560, 336, 56, 0), (geometry.ResizedWidth, geometry.ResizedHeight, geometry.PadLeft, geometry.PadTop));
        Assert.Equal(3, result.TileCount);
        (float R, float G, float B) black = TileReader.Expected(0, 0, 0);
        (float R, float G, float B) colour = TileReader.Expected(10, 20, 30);
        Assert.Equal((-TestSettings.Mean[0] / TestSettings.Std[0], -TestSettings.Mean[1] / TestSettings.Std[1], -TestSettings.Mean[2] / TestSettings.Std[2]), black);
        foreach (int y in new[] { 0, 100, 335 })
        {
            Assert.Equal(black, TileReader.At(result, 1, 0, y));
            Assert.Equal(black, TileReader.At(result, 1, 55, y));
            Assert.Equal(colour, TileReader.At(result, 1, 56, y));
            Assert.Equal(colour, TileReader.At(result, 2, 279, y));
            Assert.Equal(black, TileReader.At(result, 2, 280, y));
            Assert.Equal(black, TileReader.At(result, 2, 335, y));
            // The base tile is squashed, never padded.
            Assert.Equal(colour, TileReader.At(result, 0, 0, y));
        }
    }

    [Theory]
    [InlineData(316, 500)]
    [InlineData(1024, 768)]
    [InlineData(300, 301)]
    [InlineData(1500, 200)]
    public void The_feature_index_and_token_count_come_from_the_geometry_that_cut_the_tiles(int width, int height)
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(width, height);

        PreprocessedImage result = s_anyRes.Preprocess(image);

        AnyResGeometry geometry = s_anyRes.Geometry(width, height);
        Assert.Equal(geometry.TileCount, result.TileCount);
        Assert.Equal(geometry.ImageTokenCount, result.ImageTokenCount);
        List<long> expected = [];
        geometry.AppendFeatureIndex(expected, 0, geometry.TileCount * 576L);
        Assert.Equal(expected, result.FeatureIndex);
        List<long> shifted = [];
        List<long> actual = [];
        geometry.AppendFeatureIndex(shifted, 3, 12345);
        result.AppendFeatureIndex(actual, 3, 12345);
        Assert.Equal(shifted, actual);
    }

    [Fact]
    public void Published_anchor_316x500_costs_1526_tokens_in_3_tiles()
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(316, 500);

        PreprocessedImage result = s_anyRes.Preprocess(image);

        Assert.Equal((3, 1526), (result.TileCount, result.ImageTokenCount));
    }

    [Fact]
    public void The_cost_counts_the_grid_canvas_and_the_rows_a_tall_strip_keeps_for_its_base_tile()
    {
        // A square image: the 672 x 672 canvas is the largest buffer; the fit keeps its size and skips both passes.
        Assert.Equal(672L * 672, s_anyRes.Cost(672, 672).LargestIntermediatePixels);
        // A 1 x 16384 strip squashed to 336 x 336: the first pass widens every one of its 16384 rows to 336 pixels.
        Assert.Equal(336L * 16384, s_anyRes.Cost(1, 16384).LargestIntermediatePixels);
        // Lying the other way, its one row is widened once: the grid canvas (672 x 336, every grid ties) is the largest.
        Assert.Equal(672L * 336, s_anyRes.Cost(16384, 1).LargestIntermediatePixels);
    }

    [Fact]
    public void Settings_it_cannot_honour_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new AnyResPreprocessor(TestSettings.Next, new ImagePreprocessingOptions { PadToSquare = true }));
        Assert.Throws<ArgumentException>(() => new AnyResPreprocessor(TestSettings.Clip));
        VisionPreprocessing full = TestSettings.Next with { FeaturesPerTile = 577, SelectStrategy = "full" };
        Assert.Throws<NotSupportedException>(() => new AnyResPreprocessor(full));
    }
}
