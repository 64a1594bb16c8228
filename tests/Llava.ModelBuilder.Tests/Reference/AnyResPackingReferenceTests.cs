using System.Text.Json;
using Llava.Reference;
using Llava.Testing;

namespace Llava.ModelBuilder.Tests.Reference;

/// <summary>The reference's anyres geometry and packing, against transformers' own counts and a hand-built layout.</summary>
public sealed class AnyResPackingReferenceTests
{
    private static readonly (int Height, int Width)[] s_pinpoints = [(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)];

    [Fact]
    public void Token_counts_and_grids_match_transformers_for_every_size_in_the_sweep()
    {
        // tokens: later transformers (round(x, 7)); v4_45_model: v4.45.1's model (plain int()). Both from HF code.
        string[] lines = File.ReadAllLines(RepositoryPaths.Fixture("anyres", "token-counts.jsonl"));
        Assert.NotEmpty(lines);
        int differing = 0;
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement row = doc.RootElement;
            string[] wxh = row.GetProperty("wxh").GetString()!.Split('x');
            int width = int.Parse(wxh[0], System.Globalization.CultureInfo.InvariantCulture);
            int height = int.Parse(wxh[1], System.Globalization.CultureInfo.InvariantCulture);
            AnyResLayout truncated = AnyResPackingReference.Layout(height, width, s_pinpoints, 336, 24, UnpadRounding.TruncateV4451);
            AnyResLayout rounded = AnyResPackingReference.Layout(height, width, s_pinpoints, 336, 24, UnpadRounding.Round7);

            int[] best = [.. row.GetProperty("best_hw").EnumerateArray().Select(v => v.GetInt32())];
            Assert.Equal((best[0], best[1]), (truncated.BestHeight, truncated.BestWidth));
            Assert.Equal(row.GetProperty("tiles").GetInt32(), truncated.Tiles);
            Assert.Equal(row.GetProperty("v4_45_model").GetInt32(), truncated.FeatureRows(withNewline: true));
            Assert.Equal(row.GetProperty("tokens").GetInt32(), rounded.FeatureRows(withNewline: true));
            differing += truncated.FeatureRows(true) != rounded.FeatureRows(true) ? 1 : 0;
        }

        // The sweep includes the rare sizes where the two rounding rules disagree (110x176: 936 vs 984).
        Assert.True(differing > 0, "The fixture should cover sizes where v4.45.1 and later rounding differ.");
    }

    [Theory]
    [InlineData(500, 316, 672, 336)]   // HF's own test image: portrait picks 2 rows x 1 column
    [InlineData(336, 336, 336, 672)]   // square ties: the first pinpoint, read as (height, width), wins
    [InlineData(672, 672, 672, 672)]
    [InlineData(768, 1024, 672, 672)]
    [InlineData(200, 1000, 336, 1008)]
    public void Select_best_resolution_follows_transformers(int height, int width, int bestHeight, int bestWidth)
    {
        Assert.Equal((bestHeight, bestWidth), AnyResPackingReference.SelectBestResolution(height, width, s_pinpoints));
    }

    [Fact]
    public void Unpad_rounding_rules_differ_only_where_the_float_product_falls_just_below_an_integer()
    {
        // 176 x 110 (h x w) on a 24x48 grid: 110 * (24 / 176) is 14.999999999999998 in doubles. int() keeps 14
        // columns (padding 17 each side), round(x, 7) keeps 15 -> 16 columns (padding 16 each side).
        (int r0, int r1, int c0, int c1) truncated = AnyResPackingReference.UnpadRange(24, 48, 176, 110, UnpadRounding.TruncateV4451);
        (int r0, int r1, int c0, int c1) rounded = AnyResPackingReference.UnpadRange(24, 48, 176, 110, UnpadRounding.Round7);
        Assert.Equal((0, 24), (truncated.r0, truncated.r1));
        Assert.Equal((0, 24), (rounded.r0, rounded.r1));
        Assert.Equal((17, 31), (truncated.c0, truncated.c1));
        Assert.Equal((16, 32), (rounded.c0, rounded.c1));
    }

    [Fact]
    public void Pack_puts_the_base_tile_first_then_unpadded_grid_rows_each_ended_by_the_newline()
    {
        // A 500 x 316 (h x w) image on 2x1 tiles of 4x4 patches: an 8x4 grid whose top and bottom rows are padding
        // (int(500 * 4/316) = 6 rows kept, padding (8 - 6) / 2 = 1). Each value encodes (tile, patch).
        AnyResLayout layout = AnyResPackingReference.Layout(500, 316, s_pinpoints, 336, 4);
        Assert.Equal((2, 1, 1, 7, 0, 4), (layout.GridRows, layout.GridCols, layout.KeptRowStart, layout.KeptRowEnd, layout.KeptColStart, layout.KeptColEnd));
        float[] tiles = new float[layout.Tiles * 16];
        for (int i = 0; i < tiles.Length; i++)
        {
            tiles[i] = ((i / 16) * 100) + (i % 16);
        }

        float[] packed = AnyResPackingReference.Pack(tiles, hidden: 1, layout, imageNewline: [-1f]);

        List<float> expected = [.. Enumerable.Range(0, 16).Select(i => (float)i)];
        for (int y = 1; y < 7; y++)
        {
            int tile = 1 + (y / 4);
            expected.AddRange(Enumerable.Range(0, 4).Select(x => (float)((tile * 100) + ((y % 4) * 4) + x)));
            expected.Add(-1f);
        }

        Assert.Equal(expected, packed);
        Assert.Equal(layout.FeatureRows(withNewline: true), packed.Length);
    }
}
