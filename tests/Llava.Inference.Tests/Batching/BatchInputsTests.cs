using Llava.Inference.Batching;
using Llava.Inference.Engine;

namespace Llava.Inference.Tests.Batching;

public sealed class BatchInputsTests
{
    private const int FeaturesPerTile = 4;
    private const int TileValues = 2;
    private const int Pad = 99;

    [Fact]
    public void Rows_are_right_padded_with_the_pad_id_to_the_longest_prompt()
    {
        BatchInputs inputs = BatchInputs.Create([Prompt([1, 2, 3], tiles: 1), Prompt([4, 5, 6, 7, 8], tiles: 2)], Pad, FeaturesPerTile, TileValues);

        Assert.Equal(5, inputs.PaddedLength);
        Assert.Equal([1, 2, 3, Pad, Pad, 4, 5, 6, 7, 8], inputs.TokenIds);
    }

    [Fact]
    public void Tiles_are_concatenated_in_row_order_and_each_rows_feature_rows_move_past_the_tiles_before_it()
    {
        PreparedPrompt first = Prompt([1], tiles: 1, pixelBase: 10f);
        PreparedPrompt second = Prompt([2], tiles: 2, pixelBase: 20f);

        BatchInputs inputs = BatchInputs.Create([first, second], Pad, FeaturesPerTile, TileValues);

        Assert.Equal(3, inputs.TileCount);
        Assert.Equal([10f, 11f, 20f, 21f, 22f, 23f], (float[])inputs.PixelValues);

        // Row 0: its tile's rows 0-3, its newline (4 = one past its tile) -> the batch's newline row 12.
        // Row 1: its rows 0-7 move past row 0's tile (+4), its newline (8) -> 12.
        Assert.Equal([0, 1, 2, 3, 12, 4, 5, 6, 7, 8, 9, 10, 11, 12], inputs.FeatureIndex);
    }

    [Fact]
    public void A_row_without_images_contributes_tokens_but_no_tiles_or_features()
    {
        BatchInputs inputs = BatchInputs.Create([Prompt([1, 2], tiles: 0), Prompt([3], tiles: 1)], Pad, FeaturesPerTile, TileValues);

        Assert.Equal(1, inputs.TileCount);
        Assert.Equal([0, 1, 2, 3, 4], inputs.FeatureIndex);
        Assert.Equal([1, 2, 3, Pad], inputs.TokenIds);
    }

    [Fact]
    public void Half_precision_pixels_stay_half_precision()
    {
        PreparedPrompt a = Prompt([1], tiles: 1) with { PixelValues = new Half[] { (Half)1, (Half)2 } };
        PreparedPrompt b = Prompt([2], tiles: 1) with { PixelValues = new Half[] { (Half)3, (Half)4 } };

        BatchInputs inputs = BatchInputs.Create([a, b], Pad, FeaturesPerTile, TileValues);

        Assert.Equal([(Half)1, (Half)2, (Half)3, (Half)4], (Half[])inputs.PixelValues);
    }

    [Fact]
    public void A_batch_of_one_uses_the_prompts_own_arrays_unpadded()
    {
        PreparedPrompt only = Prompt([1, 2, 3], tiles: 1);

        BatchInputs inputs = BatchInputs.Create([only], Pad, FeaturesPerTile, TileValues);

        Assert.Same(only.TokenIds, inputs.TokenIds);
        Assert.Same(only.PixelValues, inputs.PixelValues);
        Assert.Same(only.FeatureIndex, inputs.FeatureIndex);
        Assert.Equal(3, inputs.PaddedLength);
    }

    /// <summary>A prepared prompt with <paramref name="tiles"/> tiles whose features are all used, then one newline.</summary>
    internal static PreparedPrompt Prompt(int[] ids, int tiles, float pixelBase = 0f)
    {
        long[] index = tiles == 0 ? [] : [.. Enumerable.Range(0, (tiles * FeaturesPerTile) + 1).Select(i => (long)i)];
        return new PreparedPrompt
        {
            Text = "",
            TokenIds = ids,
            UnexpandedTokenIds = ids,
            ImageTokenCount = index.Length,
            TileCount = tiles,
            PixelValues = Enumerable.Range(0, tiles * TileValues).Select(i => pixelBase + i).ToArray(),
            FeatureIndex = index,
            PreprocessTime = TimeSpan.Zero,
        };
    }
}
