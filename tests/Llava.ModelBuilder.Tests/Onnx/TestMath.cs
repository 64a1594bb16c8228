namespace Llava.ModelBuilder.Tests.Onnx;

/// <summary>Reference math in double precision, and a tolerance check that names the first differing element.</summary>
internal static class TestMath
{
    public static float[] RandomFloats(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    public static float[] MatMul(float[] a, float[] b, int m, int k, int n)
    {
        var result = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[(i * k) + p] * b[(p * n) + j];
                }

                result[(i * n) + j] = (float)sum;
            }
        }

        return result;
    }

    public static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = tolerance * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= allowed,
                $"Element {i}: expected {expected[i]}, got {actual[i]} (tolerance {allowed}).");
        }
    }
}
