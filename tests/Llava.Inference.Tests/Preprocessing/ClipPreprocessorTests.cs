using Llava.Inference.Images;
using Llava.Inference.Preprocessing;
using Llava.Inference.Tests.Images;
using Llava.ModelFormat;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Preprocessing;

public sealed class ClipPreprocessorTests
{
    private static readonly ClipPreprocessor s_clip = new(TestSettings.Clip);

    [Theory]
    [InlineData(500, 375, 448, 336)]
    [InlineData(375, 500, 336, 448)]
    [InlineData(316, 500, 336, 531)] // 531.6 truncated
    [InlineData(336, 336, 336, 336)]
    [InlineData(448, 336, 448, 336)]
    [InlineData(1000, 3, 112000, 336)]
    [InlineData(337, 1000, 336, 997)] // 997.03 truncated
    public void Shortest_edge_resize_truncates_the_long_side_as_transformers(int width, int height, int resizedWidth, int resizedHeight)
    {
        Assert.Equal((resizedWidth, resizedHeight), ClipPreprocessor.ResizedSize(width, height, 336));
    }

    [Fact]
    public void Normalisation_gives_clips_values()
    {
        using Image<Rgb24> image = SyntheticImages.Uniform(400, 300, new Rgb24(0, 128, 255));

        PreprocessedImage result = s_clip.Preprocess(image);

        // (u / 255 - mean) / std, worked out by hand for CLIP's statistics.
        (float r, float g, float b) = TileReader.At(result, 0, 200, 100);
        Assert.Equal(-1.7922625f, r, 6);
        Assert.Equal(0.1688972f, g, 6);
        Assert.Equal(2.1458970f, b, 6);
        foreach (float v in result.PixelValues.Span[..(336 * 336)])
        {
            Assert.Equal(TestSettings.Normalised(0, 0), v);
        }
    }

    [Fact]
    public void Centre_crop_takes_the_middle_with_floored_offsets()
    {
        // 500 x 336 needs no resize; the crop starts at column (500 - 336) // 2 = 82.
        static Rgb24 Column(int x, int y) => new((byte)(x % 256), (byte)(x / 256 * 100), (byte)y);
        using Image<Rgb24> wide = SyntheticImages.Pattern(500, 336, Column);
        // 336 x 501: row offset (501 - 336) // 2 = 82 (82.5 floored).
        static Rgb24 Row(int x, int y) => new((byte)x, (byte)(y % 256), (byte)(y / 256 * 100));
        using Image<Rgb24> tall = SyntheticImages.Pattern(336, 501, Row);

        PreprocessedImage fromWide = s_clip.Preprocess(wide);
        PreprocessedImage fromTall = s_clip.Preprocess(tall);

        foreach ((int x, int y) in new[] { (0, 0), (1, 5), (173, 100), (335, 335) })
        {
            Rgb24 w = Column(82 + x, y);
            Assert.Equal(TileReader.Expected(w.R, w.G, w.B), TileReader.At(fromWide, 0, x, y));
            Rgb24 t = Row(x, 82 + y);
            Assert.Equal(TileReader.Expected(t.R, t.G, t.B), TileReader.At(fromTall, 0, x, y));
        }
    }

    [Fact]
    public void Pad_to_square_fills_with_the_mean_colour_before_resizing()
    {
        ClipPreprocessor padding = new(TestSettings.Clip, new ImagePreprocessingOptions { PadToSquare = true });
        using Image<Rgb24> image = SyntheticImages.Uniform(400, 200, new Rgb24(10, 20, 30));

        PreprocessedImage padded = padding.Preprocess(image);
        PreprocessedImage cropped = s_clip.Preprocess(image);

        Assert.Equal(new Rgb24(122, 116, 104), padding.PadColour);
        // The 400 x 400 square holds the image in rows 100..299, i.e. rows 84..251 after scaling to 336.
        Rgb24 pad = padding.PadColour;
        Assert.Equal(TileReader.Expected(pad.R, pad.G, pad.B), TileReader.At(padded, 0, 0, 0));
        Assert.Equal(TileReader.Expected(pad.R, pad.G, pad.B), TileReader.At(padded, 0, 300, 70));
        Assert.Equal(TileReader.Expected(10, 20, 30), TileReader.At(padded, 0, 168, 168));
        Assert.Equal(TileReader.Expected(pad.R, pad.G, pad.B), TileReader.At(padded, 0, 5, 330));
        // Without padding the centre crop is all image.
        Assert.Equal(TileReader.Expected(10, 20, 30), TileReader.At(cropped, 0, 0, 0));
        Assert.Equal(TileReader.Expected(10, 20, 30), TileReader.At(cropped, 0, 335, 335));
    }

    [Fact]
    public void Pad_to_square_centres_a_tall_image_between_two_mean_colour_bands()
    {
        ClipPreprocessor padding = new(TestSettings.Clip, new ImagePreprocessingOptions { PadToSquare = true });
        using Image<Rgb24> image = SyntheticImages.Uniform(200, 400, new Rgb24(10, 20, 30));

        PreprocessedImage padded = padding.Preprocess(image);

        // The 400 x 400 square holds the image in columns 100..299, i.e. columns 84..251 after scaling to 336.
        Rgb24 pad = padding.PadColour;
        Assert.Equal(TileReader.Expected(pad.R, pad.G, pad.B), TileReader.At(padded, 0, 70, 168));
        Assert.Equal(TileReader.Expected(10, 20, 30), TileReader.At(padded, 0, 168, 168));
        Assert.Equal(TileReader.Expected(10, 20, 30), TileReader.At(padded, 0, 100, 0));
        Assert.Equal(TileReader.Expected(pad.R, pad.G, pad.B), TileReader.At(padded, 0, 300, 330));
    }

    [Fact]
    public void One_tile_of_576_sequential_feature_rows()
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(64, 48);

        PreprocessedImage result = s_clip.Preprocess(image);

        Assert.Equal(1, result.TileCount);
        Assert.Equal([1L, 3, 336, 336], result.Shape);
        Assert.Equal(576, result.ImageTokenCount);
        Assert.Null(result.Geometry);
        Assert.Equal(Enumerable.Range(0, 576).Select(i => (long)i), result.FeatureIndex);
        Assert.Equal((64, 48), (result.OriginalWidth, result.OriginalHeight));
        Assert.True(result.PreprocessingTime > TimeSpan.Zero);
        List<long> index = [];
        result.AppendFeatureIndex(index, firstTile: 2, newlineRow: 9999);
        Assert.Equal(Enumerable.Range(1152, 576).Select(i => (long)i), index);
    }

    [Fact]
    public void The_full_strategy_gives_577_rows_per_tile()
    {
        VisionPreprocessing full = TestSettings.Clip with { FeaturesPerTile = 577, SelectStrategy = "full" };
        using Image<Rgb24> image = SyntheticImages.Lcg(40, 40);

        Assert.Equal(577, new ClipPreprocessor(full).Preprocess(image).ImageTokenCount);
    }

    [Fact]
    public void Half_precision_is_the_float32_values_rounded_to_nearest_even()
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(90, 70);

        PreprocessedImage single = s_clip.Preprocess(image);
        PreprocessedImage half = new ClipPreprocessor(TestSettings.Clip, new ImagePreprocessingOptions { Precision = PixelPrecision.Fp16 }).Preprocess(image);

        Assert.Equal(PixelPrecision.Fp16, half.Precision);
        Assert.True(half.PixelValues.IsEmpty);
        Assert.True(single.PixelValuesHalf.IsEmpty);
        ReadOnlySpan<float> s = single.PixelValues.Span;
        ReadOnlySpan<Half> h = half.PixelValuesHalf.Span;
        Assert.Equal(s.Length, h.Length);
        for (int i = 0; i < s.Length; i++)
        {
            Assert.Equal((Half)s[i], h[i]);
        }
    }

    [Fact]
    public void The_factory_picks_clip_without_pinpoints_and_anyres_with_them()
    {
        Assert.IsType<ClipPreprocessor>(ImagePreprocessor.Create(TestSettings.Clip));
        Assert.IsType<AnyResPreprocessor>(ImagePreprocessor.Create(TestSettings.Next));
    }

    /// <summary>
    /// The crop-window-only resize against the whole shortest-edge resize then centre crop, on shapes whose whole
    /// resize still fits in memory: ordinary photos, strips 40:1 and 75:1 either way, small images upscaled, and
    /// crops larger than, equal to and smaller than the shortest edge (transformers zero-pads a short image).
    /// </summary>
    [Theory]
    [InlineData(500, 375, 336, 336)]
    [InlineData(375, 500, 336, 336)]
    [InlineData(335, 1000, 336, 336)]
    [InlineData(7, 300, 336, 336)]
    [InlineData(300, 7, 336, 336)]
    [InlineData(2, 150, 336, 336)]
    [InlineData(150, 2, 336, 336)]
    [InlineData(20, 10, 336, 336)]
    [InlineData(1, 1, 336, 336)]
    [InlineData(33, 1, 336, 400)]
    [InlineData(40, 90, 336, 400)]
    [InlineData(90, 40, 256, 224)]
    [InlineData(256, 256, 256, 224)]
    [InlineData(5, 600, 256, 224)]
    public void The_tile_is_bit_exact_with_the_whole_resize_then_centre_crop(int width, int height, int shortestEdge, int cropSize)
    {
        VisionPreprocessing settings = TestSettings.Clip with { ShortestEdge = shortestEdge, CropSize = cropSize };
        RgbBuffer pixels = new(width, height, SyntheticImages.LcgBytes(width * height * 3, (uint)((width * 31) + height), extreme: true));
        (int resizedWidth, int resizedHeight) = ClipPreprocessor.ResizedSize(width, height, shortestEdge);

        RgbBuffer whole = pixels.Resize(resizedWidth, resizedHeight).CenterCrop(cropSize, cropSize);
        RgbBuffer tile = ClipPreprocessor.ToTile(pixels, settings);

        Assert.Equal((cropSize, cropSize), (tile.Width, tile.Height));
        Assert.True(whole.Data.AsSpan().SequenceEqual(tile.Data), $"{width}x{height}, shortest edge {shortestEdge}, crop {cropSize}");
    }

    [Theory]
    [InlineData(1, 6000)]
    [InlineData(6000, 1)]
    [InlineData(1, 16384)]
    [InlineData(16384, 1)]
    [InlineData(3, 16384)]
    public void An_extreme_aspect_ratio_costs_one_crop_and_is_answered(int width, int height)
    {
        using Image<Rgb24> strip = SyntheticImages.Uniform(width, height, new Rgb24(0, 128, 255));

        Assert.Equal(336L * 336, s_clip.Cost(width, height).LargestIntermediatePixels);
        PreprocessedImage result = s_clip.Preprocess(strip);

        // A uniform strip stays uniform through the resize: every value is the colour's.
        Assert.Equal(3 * 336 * 336, result.PixelValues.Length);
        Assert.All(result.PixelValues.Span[..(336 * 336)].ToArray(), v => Assert.Equal(TestSettings.Normalised(0, 0), v));
        Assert.All(result.PixelValues.Span[(2 * 336 * 336)..].ToArray(), v => Assert.Equal(TestSettings.Normalised(2, 255), v));
    }

    [Fact]
    public void The_cost_counts_the_rows_the_crop_window_reads_and_the_limit_is_inclusive()
    {
        // 500 x 375 resizes to 448 x 336; the centre crop's 336 columns read all 375 source rows in the first pass.
        Assert.Equal(new ImageCost(1, 576, 336L * 375), s_clip.Cost(500, 375));
        // 375 x 500 resizes to 336 x 448: the first pass keeps 336 columns of the 500 - 2 x 62 rows the window reaches.
        Assert.Equal(PilResampler.WindowBufferPixels(375, 500, 336, 448, 56, 336, 336), s_clip.Cost(375, 500).LargestIntermediatePixels);
        ClipPreprocessor exact = new(TestSettings.Clip, new ImagePreprocessingOptions { MaxIntermediatePixels = 336L * 375 });
        Assert.Equal(336L * 375, exact.Cost(500, 375).LargestIntermediatePixels);
        ClipPreprocessor under = new(TestSettings.Clip, new ImagePreprocessingOptions { MaxIntermediatePixels = (336L * 375) - 1 });
        Llava.Inference.Images.ImageRejectedException e = Assert.Throws<Llava.Inference.Images.ImageRejectedException>(() => under.Cost(500, 375));
        Assert.Equal(Llava.Inference.Images.ImageRejectionReason.TooLarge, e.Reason);
        Assert.Contains($"{336L * 375} pixels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_side_beyond_an_array_index_is_refused_as_too_large()
    {
        VisionPreprocessing huge = TestSettings.Clip with { ShortestEdge = 1_000_000, CropSize = 336 };
        ClipPreprocessor clip = new(huge);

        Llava.Inference.Images.ImageRejectedException e = Assert.Throws<Llava.Inference.Images.ImageRejectedException>(() => clip.Cost(1, 3000));

        Assert.Equal(Llava.Inference.Images.ImageRejectionReason.TooLarge, e.Reason);
        Assert.Contains("3000000000 px long, more than can be indexed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crop_larger_than_the_shortest_edge_costs_the_crop_or_the_rows_its_visible_part_reads()
    {
        ClipPreprocessor wide = new(TestSettings.Clip with { CropSize = 400 });

        // 500 x 375 resizes to 448 x 336; the 400 x 400 crop overhangs it by 32 rows above and below (zeros).
        Assert.Equal(400L * 400, wide.Cost(500, 375).LargestIntermediatePixels);
        // 1000 x 750 resizes to the same 448 x 336, but the crop's 400 visible columns read all 750 source rows.
        Assert.Equal(400L * 750, wide.Cost(1000, 750).LargestIntermediatePixels);
        // Upright, the crop overhangs by 32 columns each side and its 400 rows reach source rows 50 to 950.
        Assert.Equal(336L * 900, wide.Cost(750, 1000).LargestIntermediatePixels);
    }

    [Fact]
    public void Settings_sizes_and_images_it_cannot_use_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new ClipPreprocessor(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipPreprocessor(TestSettings.Clip with { ShortestEdge = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipPreprocessor(TestSettings.Clip with { CropSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipPreprocessor(TestSettings.Clip with { FeaturesPerTile = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => s_clip.Cost(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => s_clip.Cost(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipPreprocessor.ResizedSize(0, 10, 336));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipPreprocessor.ResizedSize(10, 0, 336));
        Assert.Throws<ArgumentNullException>(() => s_clip.Preprocess((Image<Rgb24>)null!));
        Assert.Throws<ArgumentNullException>(() => s_clip.Preprocess((Llava.Inference.Images.DecodedImage)null!));
    }

    [Fact]
    public void Pad_to_square_counts_its_canvas_and_refuses_one_over_the_limit()
    {
        ClipPreprocessor padded = new(TestSettings.Clip, new ImagePreprocessingOptions { PadToSquare = true, MaxIntermediatePixels = 1000L * 1000 });

        Assert.Equal(1000L * 1000, padded.Cost(1000, 10).LargestIntermediatePixels);
        Assert.Equal(336L * 336, padded.Cost(336, 336).LargestIntermediatePixels);
        Llava.Inference.Images.ImageRejectedException e = Assert.Throws<Llava.Inference.Images.ImageRejectedException>(() => padded.Cost(1001, 10));
        Assert.Contains("1001 x 1001", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_below_one_tile_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipPreprocessor(TestSettings.Clip, new ImagePreprocessingOptions { MaxIntermediatePixels = (336L * 336) - 1 }));
    }
}
