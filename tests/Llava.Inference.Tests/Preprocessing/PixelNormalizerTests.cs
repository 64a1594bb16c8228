using Llava.Inference.Preprocessing;

namespace Llava.Inference.Tests.Preprocessing;

public sealed class PixelNormalizerTests
{
    private static readonly PixelNormalizer s_normalizer = new(TestSettings.Clip);

    /// <summary>A 16 x 16 tile whose pixel i has bytes (i, 255 - i, i * 7) in R, G, B: every value of a byte shows up.</summary>
    private static RgbBuffer AllBytes()
    {
        byte[] data = new byte[16 * 16 * 3];
        for (int i = 0; i < 256; i++)
        {
            data[3 * i] = (byte)i;
            data[(3 * i) + 1] = (byte)(255 - i);
            data[(3 * i) + 2] = (byte)(i * 7);
        }

        return new RgbBuffer(16, 16, data);
    }

    [Fact]
    public void Every_byte_of_every_channel_becomes_transformers_value_in_planar_order()
    {
        float[] values = new float[3 * 256];

        s_normalizer.Write(AllBytes(), values);

        for (int i = 0; i < 256; i++)
        {
            Assert.Equal(TestSettings.Normalised(0, (byte)i), values[i]);
            Assert.Equal(TestSettings.Normalised(1, (byte)(255 - i)), values[256 + i]);
            Assert.Equal(TestSettings.Normalised(2, (byte)(i * 7)), values[512 + i]);
        }
    }

    [Fact]
    public void Half_values_are_the_float_values_rounded_to_nearest_even()
    {
        float[] wide = new float[3 * 256];
        Half[] half = new Half[3 * 256];

        s_normalizer.Write(AllBytes(), wide);
        s_normalizer.Write(AllBytes(), half);

        for (int i = 0; i < wide.Length; i++)
        {
            Assert.Equal((Half)wide[i], half[i]);
        }
    }

    [Fact]
    public void Values_after_the_tile_are_left_alone()
    {
        float[] values = new float[(3 * 256) + 1];
        values[^1] = 42f;
        Half[] halves = new Half[(3 * 256) + 1];
        halves[^1] = (Half)42f;

        s_normalizer.Write(AllBytes(), values);
        s_normalizer.Write(AllBytes(), halves);

        Assert.Equal(42f, values[^1]);
        Assert.Equal((Half)42f, halves[^1]);
    }

    [Theory]
    [InlineData(new float[] { 0.5f, 0.5f }, new float[] { 0.2f, 0.2f, 0.2f })]
    [InlineData(new float[] { 0.5f, 0.5f, 0.5f }, new float[] { 0.2f, 0.2f })]
    [InlineData(new float[] { 0.5f, 0.5f, 0.5f }, new float[] { 0.2f, 0f, 0.2f })]
    [InlineData(new float[] { 0.5f, 0.5f, 0.5f }, new float[] { 0.2f, 0.2f, -1f })]
    [InlineData(new float[] { 0.5f, 0.5f, 0.5f }, new float[] { float.NaN, 0.2f, 0.2f })]
    [InlineData(new float[] { 0.5f, float.PositiveInfinity, 0.5f }, new float[] { 0.2f, 0.2f, 0.2f })]
    [InlineData(new float[] { 0.5f, 0.5f, float.NaN }, new float[] { 0.2f, 0.2f, 0.2f })]
    public void Unusable_statistics_are_refused(float[] mean, float[] std)
    {
        Assert.Throws<ArgumentException>(() => new PixelNormalizer(TestSettings.Clip with { ImageMean = mean, ImageStd = std }));
    }

    [Fact]
    public void The_rescale_factor_is_applied_before_the_mean()
    {
        PixelNormalizer doubled = new(TestSettings.Clip with { ImageMean = [0f, 0f, 0f], ImageStd = [1f, 1f, 1f], RescaleFactor = 2.0 });
        float[] values = new float[3 * 256];

        doubled.Write(AllBytes(), values);

        Assert.Equal(2f * 200, values[200]);
        Assert.Equal(2f * 55, values[256 + 200]);
    }
}
