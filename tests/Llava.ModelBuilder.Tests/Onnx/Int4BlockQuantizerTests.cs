using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Tests.Onnx;

public sealed class Int4BlockQuantizerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(16, 64)]
    [InlineData(16, 37)]
    [InlineData(32, 100)]
    [InlineData(128, 256)]
    [InlineData(128, 200)]
    public void MatMulNBits_equals_input_times_dequantized_weight_transposed(int blockSize, int k)
    {
        const int N = 24;
        var random = new Random(blockSize + k);
        float[] weight = TestMath.RandomFloats(random, N * k);
        string path = _temp.File("q4.onnx");
        using (var g = new OnnxGraphBuilder("q4", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, "batch", "sequence", (long)k);
            string y = Int4BlockQuantizer.MatMulNBits(g, x, "proj", weight, N, k, blockSize);
            g.AddOutputAs(y, "y", OnnxDataType.Float, "batch", "sequence", (long)N);
            g.Save();
        }

        float[] input = TestMath.RandomFloats(random, 2 * 3 * k);
        OrtResult result = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, 2, 3, k)))["y"];

        float[] dequantized = Int4BlockQuantizer.Dequantize(Int4BlockQuantizer.Quantize(weight, N, k, blockSize));
        float[] expected = TestMath.MatMul(input, Transpose(dequantized, N, k), 6, k, N);
        Assert.Equal([2, 3, N], result.Shape);
        TestMath.AssertClose(expected, result.As<float>(), 1e-4f);
    }

    [Fact]
    public void MatMulNBits_with_float16_activations_uses_float16_scales_and_matches()
    {
        const int N = 20;
        const int K = 96;
        var random = new Random(7);
        float[] weight = TestMath.RandomFloats(random, N * K);
        string path = _temp.File("q4h.onnx");
        using (var g = new OnnxGraphBuilder("q4h", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float16, "batch", (long)K);
            string y = Int4BlockQuantizer.MatMulNBits(g, x, "proj", weight, N, K, 32, OnnxDataType.Float16, accuracyLevel: 0);
            g.AddOutputAs(y, "y", OnnxDataType.Float16, "batch", (long)N);
            g.Save();
        }

        Half[] input = HalfConverter.FloatToHalf(TestMath.RandomFloats(random, 2 * K));
        OrtResult result = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, 2, K)))["y"];

        Int4QuantizedWeight q = Int4BlockQuantizer.Quantize(weight, N, K, 32, OnnxDataType.Float16);
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
        Assert.Equal(4, q.ZeroPoints.Length);
        Assert.Equal([0xF0, 0x00, 0x0F, 0x00], q.ZeroPoints);
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
