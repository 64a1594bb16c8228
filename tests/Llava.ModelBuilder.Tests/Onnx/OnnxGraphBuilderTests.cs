using Llava.ModelBuilder.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.ModelBuilder.Tests.Onnx;

public sealed class OnnxGraphBuilderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MatMulAdd_with_weights_in_external_data_matches_CSharp_math_and_keeps_the_onnx_file_small()
    {
        const int In = 33;
        const int Hidden = 47;
        const int Out = 17;
        var random = new Random(1);
        float[] w1 = TestMath.RandomFloats(random, In * Hidden);
        float[] b1 = TestMath.RandomFloats(random, Hidden);
        float[] w2 = TestMath.RandomFloats(random, Hidden * Out);
        string path = _temp.File("mlp.onnx");

        long externalBytes;
        using (var g = new OnnxGraphBuilder("mlp", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, "batch", (long)In);
            string h = g.Op("Add", g.Op("MatMul", x, g.AddInitializer("w1", w1, In, Hidden)), g.AddInitializer("b1", b1, Hidden));
            g.Node("MatMul", [h, g.AddInitializer("w2", w2, Hidden, Out)], ["y"]);
            g.AddOutput("y", OnnxDataType.Float, "batch", (long)Out);
            externalBytes = g.ExternalDataBytes;
            g.Save();
        }

        // w1 (6204 bytes) and w2 (3196 bytes, its offset padded to 64) are external; b1 (188 bytes) is inline.
        Assert.Equal(6208 + (Hidden * Out * 4), externalBytes);
        Assert.Equal(externalBytes, new FileInfo(path + ".data").Length);
        Assert.InRange(new FileInfo(path).Length, 1, 2048);

        const int Batch = 3;
        float[] input = TestMath.RandomFloats(random, Batch * In);
        IReadOnlyDictionary<string, OrtResult> outputs = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, Batch, In)));

        float[] hidden = TestMath.MatMul(input, w1, Batch, In, Hidden);
        for (int i = 0; i < hidden.Length; i++)
        {
            hidden[i] += b1[i % Hidden];
        }

        float[] expected = TestMath.MatMul(hidden, w2, Batch, Hidden, Out);
        Assert.Equal([Batch, Out], outputs["y"].Shape);
        TestMath.AssertClose(expected, outputs["y"].As<float>(), 1e-5f);
    }

    [Fact]
    public void Symbolic_dims_accept_different_runtime_sizes()
    {
        string path = _temp.File("softmax.onnx");
        using (var g = new OnnxGraphBuilder("softmax", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, "batch", "sequence", 8L);
            string y = g.Op("Softmax", new Dictionary<string, object> { ["axis"] = -1L }, x);
            g.AddOutputAs(y, "probs", OnnxDataType.Float, "batch", "sequence", 8L);
            g.Save();
        }

        var random = new Random(2);
        foreach ((int batch, int sequence) in new[] { (1, 2), (3, 5) })
        {
            float[] input = TestMath.RandomFloats(random, batch * sequence * 8);
            OrtResult probs = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, batch, sequence, 8)))["probs"];
            Assert.Equal([batch, sequence, 8], probs.Shape);
            TestMath.AssertClose(Softmax(input, 8), probs.As<float>(), 1e-6f);
        }
    }

    [Fact]
    public void Int64_constants_Cast_with_a_data_type_attribute_Softmax_axis_and_multi_output_Split_work()
    {
        string path = _temp.File("ops.onnx");
        using (var g = new OnnxGraphBuilder("ops", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, 2L, 6L);
            Assert.Equal(g.ConstantInt64(3, 4), g.ConstantInt64(3, 4));
            string reshaped = g.Op("Reshape", x, g.ConstantInt64(3, 4));
            string scaled = g.Op("Mul", reshaped, g.ConstantFloat(2f));
            g.Node("Cast", [scaled], ["as_int"], new Dictionary<string, object> { ["to"] = OnnxDataType.Int64 });
            string softmaxed = g.Op("Softmax", new Dictionary<string, object> { ["axis"] = 0L }, scaled);
            string[] parts = g.Node("Split", [softmaxed, g.ConstantInt64(1, 3)], 2, new Dictionary<string, object> { ["axis"] = 1L });
            g.AddOutput("as_int", OnnxDataType.Int64, 3L, 4L);
            g.AddOutputAs(parts[0], "left", OnnxDataType.Float, 3L, 1L);
            g.AddOutputAs(parts[1], "right", OnnxDataType.Float, 3L, 3L);
            g.Save();
        }

        float[] input = [-2.6f, -1.2f, 0.4f, 1.7f, 3.3f, -0.1f, 2.2f, 0.9f, -3.1f, 1.1f, 0.2f, 2.8f];
        IReadOnlyDictionary<string, OrtResult> outputs = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, 2, 6)));

        float[] scaledExpected = [.. input.Select(v => v * 2f)];
        Assert.Equal(TensorElementType.Int64, outputs["as_int"].ElementType);
        Assert.Equal(scaledExpected.Select(v => (long)v), outputs["as_int"].As<long>());

        // Softmax over axis 0 of [3, 4]: each column sums to 1.
        var softmax = new float[12];
        for (int col = 0; col < 4; col++)
        {
            float[] column = [scaledExpected[col], scaledExpected[4 + col], scaledExpected[8 + col]];
            float[] s = Softmax(column, 3);
            for (int row = 0; row < 3; row++)
            {
                softmax[(row * 4) + col] = s[row];
            }
        }

        Assert.Equal([3, 1], outputs["left"].Shape);
        Assert.Equal([3, 3], outputs["right"].Shape);
        TestMath.AssertClose([softmax[0], softmax[4], softmax[8]], outputs["left"].As<float>(), 1e-6f);
        TestMath.AssertClose([softmax[1], softmax[2], softmax[3], softmax[5], softmax[6], softmax[7], softmax[9], softmax[10], softmax[11]], outputs["right"].As<float>(), 1e-6f);
    }

    [Fact]
    public void An_empty_input_name_is_an_omitted_optional_input()
    {
        string path = _temp.File("clip.onnx");
        using (var g = new OnnxGraphBuilder("clip", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float, 4L);
            g.Node("Clip", [x, "", g.ConstantFloat(1f)], ["y"]);
            g.AddOutput("y", OnnxDataType.Float, 4L);
            g.Save();
        }

        OrtResult y = OrtRunner.Run(path, ("x", OrtRunner.Tensor(new[] { -5f, 0.5f, 1f, 7f }, 4)))["y"];
        Assert.Equal([-5f, 0.5f, 1f, 1f], y.As<float>());
    }

    [Fact]
    public void A_float16_graph_runs_on_the_cpu_and_matches()
    {
        const int In = 16;
        const int Out = 40;
        var random = new Random(3);
        Half[] w = HalfConverter.FloatToHalf(TestMath.RandomFloats(random, In * Out));
        string path = _temp.File("fp16.onnx");
        using (var g = new OnnxGraphBuilder("fp16", path))
        {
            string x = g.AddInput("x", OnnxDataType.Float16, "batch", (long)In);
            string y = g.Op("Add", g.Op("MatMul", x, g.AddInitializer("w", w, In, Out)), g.ConstantScalar(OnnxDataType.Float16, 0.5));
            g.AddOutputAs(y, "y", OnnxDataType.Float16, "batch", (long)Out);
            Assert.Equal(In * Out * 2, g.ExternalDataBytes);
            g.Save();
        }

        const int Batch = 2;
        Half[] input = HalfConverter.FloatToHalf(TestMath.RandomFloats(random, Batch * In));
        OrtResult result = OrtRunner.Run(path, ("x", OrtRunner.Tensor(input, Batch, In)))["y"];
        Assert.Equal(TensorElementType.Float16, result.ElementType);

        float[] expected = TestMath.MatMul([.. input.Select(h => (float)h)], [.. w.Select(h => (float)h)], Batch, In, Out);
        float[] actual = [.. result.As<Half>().Select(h => (float)h)];

        // fp16 keeps 11 significant bits; a sum of 16 products of values below 1 stays within a few ulps.
        TestMath.AssertClose([.. expected.Select(v => v + 0.5f)], actual, 1e-2f);
    }

    [Fact]
    public void A_node_cannot_use_a_value_that_is_not_defined_yet()
    {
        using var g = new OnnxGraphBuilder("bad", _temp.File("bad.onnx"));
        string x = g.AddInput("x", OnnxDataType.Float, 1L);
        ArgumentException error = Assert.Throws<ArgumentException>(() => g.Op("Add", x, "missing"));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.AddInput("x", OnnxDataType.Float, 1L));
    }

    [Fact]
    public void Save_refuses_a_graph_output_that_no_node_produces_and_leaves_no_onnx_file()
    {
        string path = _temp.File("bad.onnx");
        using var g = new OnnxGraphBuilder("bad", path);
        g.AddInput("x", OnnxDataType.Float, 1L);
        g.AddOutput("y", OnnxDataType.Float, 1L);
        Assert.Throws<InvalidOperationException>(g.Save);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Dispose_without_Save_leaves_the_data_file_for_the_caller()
    {
        string path = _temp.File("partial.onnx");
        using (var g = new OnnxGraphBuilder("partial", path))
        {
            g.AddInitializer("big", new float[1000], 1000);
        }

        Assert.Equal(4000, new FileInfo(path + ".data").Length);
        Assert.False(File.Exists(path));
    }

    private static float[] Softmax(float[] values, int width)
    {
        var result = new float[values.Length];
        for (int start = 0; start < values.Length; start += width)
        {
            float max = values.Skip(start).Take(width).Max();
            double sum = 0;
            for (int i = start; i < start + width; i++)
            {
                sum += Math.Exp(values[i] - max);
            }

            for (int i = start; i < start + width; i++)
            {
                result[i] = (float)(Math.Exp(values[i] - max) / sum);
            }
        }

        return result;
    }
}
