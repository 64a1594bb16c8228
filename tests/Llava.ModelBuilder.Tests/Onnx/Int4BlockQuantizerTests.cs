using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Tests.Onnx;

public sealed class Int4BlockQuantizerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(16, 64, Int4Scheme.Asymmetric)]
    [InlineData(16, 37, Int4Scheme.Asymmetric)]
    [InlineData(32, 100, Int4Scheme.Asymmetric)]
    [InlineData(128, 256, Int4Scheme.Asymmetric)]
    [InlineData(128, 200, Int4Scheme.Asymmetric)]
    [InlineData(16, 37, Int4Scheme.Symmetric)]
    [InlineData(32, 100, Int4Scheme.Symmetric)]
    [InlineData(128, 200, Int4Scheme.Symmetric)]
    public void MatMulNBits_equals_input_times_dequantized_weight_transposed(int blockSize, int k, Int4Scheme scheme)
    {
        const int N = 24;
        var random = new Random(blockSize + k);
        float[] weight = TestMath.RandomFloats(random, N * k);
        string path = _temp.File("q4.onnx");
        using (var g = new OnnxGraphBuilder("q4", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, "batch", "sequence", (long)k);
            string y = Int4BlockQuantizer.MatMulNBits(g, x, "proj", weight, N, k, blockSize, OnnxDataType.Float, accuracyLevel: 0, scheme);
            g.AddOutputAs(y, "y", OnnxDataType.Float, "batch", "sequence", (long)N);
            g.Save();
        }

        float[] input = TestMath.RandomFloats(random, 2 * 3 * k);
        OrtResult result = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, 2, 3, k)))["y"];

        float[] dequantized = Int4BlockQuantizer.Dequantize(Int4BlockQuantizer.Quantize(weight, N, k, blockSize, OnnxDataType.Float, scheme));
        float[] expected = TestMath.MatMul(input, Transpose(dequantized, N, k), 6, k, N);
        Assert.Equal([2, 3, N], result.Shape);
        TestMath.AssertClose(expected, result.As<float>(), 1e-4f);
    }

    [Theory]
    [InlineData(Int4Scheme.Asymmetric)]
    [InlineData(Int4Scheme.Symmetric)]
    public void MatMulNBits_with_float16_activations_uses_float16_scales_and_matches(Int4Scheme scheme)
    {
        const int N = 20;
        const int K = 96;
        var random = new Random(7);
        float[] weight = TestMath.RandomFloats(random, N * K);
        string path = _temp.File("q4h.onnx");
        using (var g = new OnnxGraphBuilder("q4h", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float16, "batch", (long)K);
            string y = Int4BlockQuantizer.MatMulNBits(g, x, "proj", weight, N, K, 32, OnnxDataType.Float16, accuracyLevel: 0, scheme);
            g.AddOutputAs(y, "y", OnnxDataType.Float16, "batch", (long)N);
            g.Save();
        }

        Half[] input = HalfConverter.FloatToHalf(TestMath.RandomFloats(random, 2 * K));
        OrtResult result = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, 2, K)))["y"];

        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, N, K, 32, OnnxDataType.Float16, scheme);
        Assert.All(q.Scales, s => Assert.Equal(s, (float)(Half)s));
        float[] expected = TestMath.MatMul([.. input.Select(h => (float)h)], Transpose(Int4BlockQuantizer.Dequantize(q), N, K), 2, K, N);
        TestMath.AssertClose(expected, [.. result.As<Half>().Select(h => (float)h)], 1e-2f);
    }

    [Theory]
    [InlineData(16, 37)]
    [InlineData(32, 100)]
    [InlineData(128, 200)]
    public void Quantization_error_is_at_most_half_a_step_and_small_overall(int blockSize, int k)
    {
        const int N = 32;
        float[] weight = TestMath.RandomFloats(new Random(11), N * k);
        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, N, k, blockSize);
        float[] dequantized = Int4BlockQuantizer.Dequantize(q);

        double squaredError = 0;
        double squaredWeight = 0;
        for (int row = 0; row < N; row++)
        {
            for (int col = 0; col < k; col++)
            {
                int i = (row * k) + col;
                float step = q.Scales[(row * q.BlocksPerColumn) + (col / blockSize)];
                float error = Math.Abs(weight[i] - dequantized[i]);

                // Round-to-nearest is off by at most half a step; a rounded zero point can push the block's
                // extreme values by at most another half step, which clamping then absorbs.
                Assert.True(error <= (step * 0.5f) + 1e-6f, $"[{row}, {col}]: error {error} exceeds half a step {step}.");
                squaredError += (double)error * error;
                squaredWeight += (double)weight[i] * weight[i];
            }
        }

        // Uniform weights in [-1, 1] over 16 levels: RMS error near step / sqrt(12), about 4% of the RMS weight.
        double relativeRms = Math.Sqrt(squaredError / squaredWeight);
        Assert.InRange(relativeRms, 0.01, 0.08);
    }

    [Fact]
    public void Constant_and_zero_blocks_dequantize_exactly()
    {
        float[] weight = [.. Enumerable.Repeat(0f, 16), .. Enumerable.Repeat(0.75f, 16), .. Enumerable.Repeat(-2f, 16)];
        float[] dequantized = Int4BlockQuantizer.Dequantize(Int4BlockQuantizer.Quantize(weight, 1, 48, 16));
        for (int i = 0; i < weight.Length; i++)
        {
            Assert.Equal(weight[i], dequantized[i], 6);
        }
    }

    [Fact]
    public void Packing_puts_even_elements_and_even_blocks_in_the_low_nibble()
    {
        // Row 0, block 0 holds 0..15, so scale 1 and zero point 0 make q equal the value; blocks 1 and 2 are
        // -15 (zero point 15) and 0 (zero point 0) to show the zero-point nibble order. K = 40 pads block 2.
        float[] weight = new float[2 * 40];
        for (int i = 0; i < 16; i++)
        {
            weight[i] = i;
            weight[16 + i] = -15f;
            weight[40 + i] = -15f;
        }

        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, 2, 40, 16);

        Assert.Equal([2L, 3L, 8L], q.PackedShape);
        Assert.Equal([0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE], q.Packed[..8]);
        Assert.Equal([1f, 1f, 0f], q.Scales[..3]);

        // Two bytes of zero points per row: (block 0 | block 1 << 4), (block 2).
        Assert.NotNull(q.ZeroPoints);
        Assert.Equal([0xF0, 0x00, 0x0F, 0x00], q.ZeroPoints);
    }

    [Theory]
    [InlineData(16, 37)]
    [InlineData(32, 100)]
    [InlineData(128, 200)]
    public void Symmetric_blocks_hit_their_largest_magnitude_exactly_and_stay_within_one_step(int blockSize, int k)
    {
        const int N = 32;
        float[] weight = TestMath.RandomFloats(new Random(5), N * k);
        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, N, k, blockSize, OnnxDataType.Float, Int4Scheme.Symmetric);
        float[] dequantized = Int4BlockQuantizer.Dequantize(q);

        Assert.Null(q.ZeroPoints);
        for (int row = 0; row < N; row++)
        {
            for (int block = 0; block < q.BlocksPerColumn; block++)
            {
                int start = (row * k) + (block * blockSize);
                int count = Math.Min(blockSize, k - (block * blockSize));
                int extreme = start;
                for (int i = start; i < start + count; i++)
                {
                    extreme = Math.Abs(weight[i]) > Math.Abs(weight[extreme]) ? i : extreme;
                }

                float scale = q.Scales[(row * q.BlocksPerColumn) + block];
                Assert.Equal(weight[extreme] / -8f, scale);
                Assert.Equal(weight[extreme], dequantized[extreme], 6);
                for (int i = start; i < start + count; i++)
                {
                    // Half a step from rounding; a value on the far side of zero from the extreme may sit up to a
                    // full step away, where +8 steps clamps to +7.
                    Assert.True(Math.Abs(weight[i] - dequantized[i]) <= Math.Abs(scale) + 1e-6f, $"[{i}] off by more than a step");
                }
            }
        }
    }

    [Theory]
    [InlineData(Int4Scheme.Asymmetric, OnnxDataType.Float, new[] { "x", "proj.qweight", "proj.scales", "proj.qzeros" })]
    [InlineData(Int4Scheme.Asymmetric, OnnxDataType.Float16, new[] { "x", "proj.qweight", "proj.scales", "proj.qzeros" })]
    [InlineData(Int4Scheme.Symmetric, OnnxDataType.Float, new[] { "x", "proj.qweight", "proj.scales" })]
    [InlineData(Int4Scheme.Symmetric, OnnxDataType.Float16, new[] { "x", "proj.qweight", "proj.scales" })]
    public void The_node_takes_weights_scales_and_only_asymmetric_zero_points_by_name(Int4Scheme scheme, OnnxDataType activations, string[] inputs)
    {
        string path = _temp.File("q4n.onnx");
        using (var g = new OnnxGraphBuilder("q4n", path))
        {
            string x = g.AddInput("x", activations, "batch", 32L);
            string y = Int4BlockQuantizer.MatMulNBits(g, x, "proj", TestMath.RandomFloats(new Random(1), 8 * 32), 8, 32, 32, activations, accuracyLevel: 4, scheme);
            g.AddOutputAs(y, "y", activations, "batch", 8L);
            g.Save();
        }

        OnnxNodeInfo node = OnnxModelInspector.Load(path).Nodes.Single(n => n.OpType == "MatMulNBits");
        Assert.Equal(inputs, node.Inputs);
        Assert.Equal("proj/MatMulNBits", node.Name);
        Assert.Equal(4, node.IntAttributes["accuracy_level"]);
    }

    [Fact]
    public void Of_two_symmetric_extremes_of_equal_magnitude_the_first_sets_the_scale()
    {
        float[] weight = new float[16];
        weight[3] = -2f;
        weight[9] = 2f;

        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, 1, 16, 16, OnnxDataType.Float, Int4Scheme.Symmetric);
        float[] back = Int4BlockQuantizer.Dequantize(q);

        // -2 is level 0 exactly; +2 would be level 16, so it clamps to 15: 7 steps of 0.25.
        Assert.Equal(0.25f, q.Scales[0]);
        Assert.Equal(-2f, back[3]);
        Assert.Equal(1.75f, back[9]);
    }

    [Fact]
    public void Arguments_outside_what_the_op_takes_are_refused()
    {
        float[] w = new float[32];
        Assert.Throws<ArgumentNullException>(() => Int4BlockQuantizer.Quantize(null!, 1, 32, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(w, 0, 32, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(w, 1, 0, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(w, 1, 32, 8));
        Assert.Contains("power-of-two", Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(w, 1, 32, 48)).Message, StringComparison.Ordinal);
        Assert.Contains("float32 or float16", Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(w, 1, 32, 32, OnnxDataType.UInt8)).Message, StringComparison.Ordinal);
        Assert.Contains("expected N*K = 64", Assert.Throws<ArgumentException>(() => Int4BlockQuantizer.Quantize(w, 2, 32, 32)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Int4BlockQuantizer.Dequantize(null!));

        using var g = new OnnxGraphBuilder("refused", _temp.File("refused.onnx"));
        Assert.Throws<ArgumentNullException>(() => Int4BlockQuantizer.MatMulNBits(null!, "x", "p", w, 1, 32, 32));
        Assert.Throws<ArgumentException>(() => Int4BlockQuantizer.MatMulNBits(g, "x", string.Empty, w, 1, 32, 32));
        Assert.Throws<ArgumentNullException>(() => Int4BlockQuantizer.MatMulNBits(g, "x", "p", null!, 1, 32, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.MatMulNBits(g, "x", "p", w, 1, 32, 32, OnnxDataType.Float, accuracyLevel: -1));
    }

    [Fact]
    public void Packing_of_symmetric_blocks_puts_the_extreme_at_level_0_and_zero_at_level_8()
    {
        // Block 0: -8..7 with scale 1 maps v to v + 8; block 1: positive extreme 4 gives scale -0.5, so 4 -> 0
        // and 0 -> 8. K = 40 pads block 2 with the zero point 8.
        float[] weight = new float[40];
        for (int i = 0; i < 16; i++)
        {
            weight[i] = i - 8;
        }

        weight[16] = 4f;
        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, 1, 40, 16, OnnxDataType.Float, Int4Scheme.Symmetric);

        Assert.Equal([0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE], q.Packed[..8]);
        Assert.Equal([1f, -0.5f, 0f], q.Scales);
        Assert.Equal(0x80, q.Packed[8]);
        Assert.All(q.Packed[9..16], b => Assert.Equal(0x88, b));
        Assert.All(q.Packed[16..], b => Assert.Equal(0x88, b));
    }

    [Fact]
    public void An_undefined_scheme_is_refused()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => Int4BlockQuantizer.Quantize(new float[32], 1, 32, 32, OnnxDataType.Float, (Int4Scheme)7));
        Assert.Contains("int4 scheme", error.Message, StringComparison.Ordinal);
    }

    private static float[] Transpose(float[] matrix, int rows, int cols)
    {
        var result = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                result[(c * rows) + r] = matrix[(r * cols) + c];
            }
        }

        return result;
    }
}
