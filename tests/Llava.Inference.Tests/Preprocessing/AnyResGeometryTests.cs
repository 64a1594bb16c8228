using System.Globalization;
using System.Text.Json;
using Llava.Inference.Preprocessing;
using Llava.Testing;

namespace Llava.Inference.Tests.Preprocessing;

public sealed class AnyResGeometryTests
{
    /// <summary>llava-v1.6's image_grid_pinpoints as (height, width), HF's reading.</summary>
    private static readonly (int Height, int Width)[] s_pinpoints = [(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)];

    public static TheoryData<string, int, int, int, int> TransformersCounts()
    {
        // Written by transformers v4.45.1's own code (refharness/token_counts.py): 900 sizes from a sweep plus
        // anchors and the rounding corners; "tokens" is current transformers' int(round(x, 7)) rule.
        TheoryData<string, int, int, int, int> data = [];
        foreach (string line in File.ReadLines(RepositoryPaths.Fixture("anyres", "token-counts.jsonl")))
        {
            using JsonDocument row = JsonDocument.Parse(line);
            JsonElement r = row.RootElement;
            JsonElement best = r.GetProperty("best_hw");
            data.Add(r.GetProperty("wxh").GetString()!, best[0].GetInt32(), best[1].GetInt32(), r.GetProperty("tiles").GetInt32(), r.GetProperty("tokens").GetInt32());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TransformersCounts))]
    public void Token_count_tiles_and_best_resolution_match_transformers(string wxh, int bestHeight, int bestWidth, int tiles, int tokens)
    {
        string[] parts = wxh.Split('x');
        AnyResGeometry geometry = AnyResGeometry.Create(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), s_pinpoints, 336, 14);

        Assert.Equal((bestHeight, bestWidth), (geometry.BestHeight, geometry.BestWidth));
        Assert.Equal(tiles, geometry.TileCount);
        Assert.Equal(tokens, geometry.ImageTokenCount);
    }

    [Theory]
    [InlineData(316, 500, 1526)] // HF's published anchor on llava-v1.6-vicuna-7b-hf
    [InlineData(672, 672, 2928)] // the maximum: 576 + 48 * 49
    public void Published_anchors_hold(int width, int height, int tokens)
    {
        Assert.Equal(tokens, AnyResGeometry.Create(width, height, s_pinpoints, 336, 14).ImageTokenCount);
    }

    [Fact]
    public void Feature_index_has_one_entry_per_image_token_and_newlines_close_every_row()
    {
        AnyResGeometry geometry = AnyResGeometry.Create(316, 500, s_pinpoints, 336, 14);
        List<long> index = [];
        const long Newline = 3 * 576;

        geometry.AppendFeatureIndex(index, firstTile: 0, newlineRow: Newline);

        Assert.Equal(geometry.ImageTokenCount, index.Count);
        Assert.Equal(Enumerable.Range(0, 576).Select(i => (long)i), index.Take(576));
        int rowLength = geometry.PatchColumns + 1;
        for (int row = 0; row < geometry.PatchRows; row++)
        {
            Assert.Equal(Newline, index[576 + (row * rowLength) + geometry.PatchColumns]);
        }

        // 316x500 lands in a 2x1 grid (672x336): the first kept patch row is row 5 of the top tile (tile 1).
        Assert.Equal(5, geometry.FirstPatchRow);
        Assert.Equal(576 + (5 * 24), index[576]);
        // Rows 24.. of the grid come from the bottom tile (tile 2).
        Assert.Equal((2 * 576) + 0, index[576 + ((24 - 5) * rowLength)]);
    }

    [Fact]
    public void Feature_index_of_a_second_image_is_offset_by_the_tiles_before_it()
    {
        AnyResGeometry first = AnyResGeometry.Create(672, 672, s_pinpoints, 336, 14);
        AnyResGeometry second = AnyResGeometry.Create(316, 500, s_pinpoints, 336, 14);
        long newline = (first.TileCount + second.TileCount) * 576L;
        List<long> index = [];

        first.AppendFeatureIndex(index, 0, newline);
        int split = index.Count;
        second.AppendFeatureIndex(index, first.TileCount, newline);

        Assert.Equal(first.ImageTokenCount + second.ImageTokenCount, index.Count);
        Assert.Equal(first.TileCount * 576L, index[split]);
        Assert.All(index, i => Assert.InRange(i, 0, newline));
    }

    [Fact]
    public void Fitting_keeps_the_aspect_ratio_and_centres_the_image_on_the_canvas()
    {
        AnyResGeometry geometry = AnyResGeometry.Create(1024, 768, s_pinpoints, 336, 14);

        Assert.Equal((672, 672), (geometry.BestHeight, geometry.BestWidth));
        Assert.Equal((672, 504), (geometry.ResizedWidth, geometry.ResizedHeight));
        Assert.Equal((0, 84), (geometry.PadLeft, geometry.PadTop));
    }

    [Fact]
    public void A_two_by_two_grid_indexes_each_patch_in_its_own_tile()
    {
        AnyResGeometry geometry = AnyResGeometry.Create(672, 672, s_pinpoints, 336, 14);
        List<long> index = [];

        geometry.AppendFeatureIndex(index, 0, -1);

        // After the 576 base rows (tile 0), grid row r holds 48 patches and a newline: 49 entries a row; tiles 1 to 4.
        Assert.Equal(1L * 576, index[576]);
        Assert.Equal(2L * 576, index[576 + 24]);
        Assert.Equal(3L * 576, index[576 + (24 * 49)]);
        Assert.Equal(4L * 576, index[576 + (24 * 49) + 24]);
        Assert.Equal(-1L, index[576 + 48]);
    }

    [Fact]
    public void When_no_candidate_keeps_any_pixel_the_least_waste_wins_even_if_it_comes_second()
    {
        // A 16384 x 1 strip scaled into any candidate keeps zero rows: every candidate is worth 0.
        Assert.Equal((336, 672), AnyResGeometry.SelectBestResolution(16384, 1, [(672, 672), (336, 672)]));
    }

    [Fact]
    public void Sizes_candidates_and_pinpoints_it_cannot_use_are_refused()
    {
        ArgumentOutOfRangeException zero = Assert.Throws<ArgumentOutOfRangeException>(() => AnyResGeometry.Create(0, 10, s_pinpoints, 336, 14));
        Assert.Contains("must be positive; got 0x10", zero.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => AnyResGeometry.Create(10, 0, s_pinpoints, 336, 14));
        Assert.Throws<ArgumentNullException>(() => AnyResGeometry.SelectBestResolution(10, 10, null!));
        ArgumentException none = Assert.Throws<ArgumentException>(() => AnyResGeometry.SelectBestResolution(10, 10, []));
        Assert.Contains("At least one candidate", none.Message, StringComparison.Ordinal);
        ArgumentException uneven = Assert.Throws<ArgumentException>(() => AnyResGeometry.Create(10, 10, [(336, 700)], 336, 14));
        Assert.Contains("336x700 is not a multiple of the 336 px tile", uneven.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AnyResGeometry.Create(10, 10, [(700, 336)], 336, 14));
        Assert.Throws<ArgumentNullException>(() => AnyResGeometry.Create(672, 672, s_pinpoints, 336, 14).AppendFeatureIndex(null!, 0, -1));
    }
}
