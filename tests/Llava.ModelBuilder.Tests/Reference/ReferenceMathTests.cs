using Llava.Reference;

namespace Llava.ModelBuilder.Tests.Reference;

/// <summary>The reference's own kernels where .NET offers no ground truth (erf) or where order matters (attention).</summary>
public sealed class ReferenceMathTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.5, 0.999593047982555)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(6.0, 1.0)]
    public void Erf_matches_python_math_erf(double x, double expected)
    {
        Assert.Equal(expected, ReferenceMath.Erf(x), 1e-15);
    }

    [Fact]
    public void Gelu_and_quick_gelu_are_the_exact_and_sigmoid_forms()
    {
        Assert.Equal(0.8413447460685429, ReferenceMath.Gelu(1f), 1e-7);
        Assert.Equal(-0.15865525393145707, ReferenceMath.Gelu(-1f), 1e-7);
        Assert.Equal(1.0 / (1.0 + Math.Exp(-1.702)), ReferenceMath.QuickGelu(1f), 1e-7);
        Assert.Equal(1.0 / (1.0 + Math.Exp(-1.0)), ReferenceMath.Silu(1f), 1e-7);
    }

    [Fact]
    public void Causal_grouped_attention_weighs_only_visible_keys_of_the_shared_head()
    {
        // Two query heads share one key/value head; row 0 may see only key 0, row 1 sees keys 0 and 1.
        float[] q = [1, 0, 0, 1, 1, 0, 0, 1];
        float[] k = [1, 0, 0, 1];
        float[] v = [10, 20, 30, 40];
        float[] output = ReferenceMath.Attention(q, 2, k, v, 2, heads: 2, kvHeads: 1, headDim: 2, scale: 1.0, causalOffset: 0);

        Assert.Equal([10f, 20f, 10f, 20f], output[..4]);
        double w = Math.Exp(1) / (Math.Exp(1) + 1);
        Assert.Equal((10 * w) + (30 * (1 - w)), output[4], 5);
        Assert.Equal((30 * w) + (10 * (1 - w)), output[6], 5);
    }
}
