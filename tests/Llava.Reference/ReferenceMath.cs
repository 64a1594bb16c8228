using System.Runtime.Intrinsics;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>
/// The few float32 kernels the reference needs, written for clarity. Dot products accumulate in double so
/// that our rounding error stays well below the float32 GEMMs we compare against; rows run in parallel so
/// that tiny checkpoints finish in well under a second.
/// </summary>
internal static class ReferenceMath
{
    /// <summary>Sum of a[i]*b[i], each product and the sum in double (floats widened eight lanes at a time).</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Dot: lengths differ.");
        }

        Vector256<double> low = Vector256<double>.Zero;
        Vector256<double> high = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= a.Length; i += 8)
        {
            Vector256<float> va = Vector256.Create(a.Slice(i, 8));
            Vector256<float> vb = Vector256.Create(b.Slice(i, 8));
            low += Vector256.WidenLower(va) * Vector256.WidenLower(vb);
            high += Vector256.WidenUpper(va) * Vector256.WidenUpper(vb);
        }

        double sum = Vector256.Sum(low + high);
        for (; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    /// <summary>Sum of a[i]*b[i] for double weights and float values, in double.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Dot: lengths differ.");
        }

        Vector256<double> low = Vector256<double>.Zero;
        Vector256<double> high = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= a.Length; i += 8)
        {
            Vector256<float> vb = Vector256.Create(b.Slice(i, 8));
            low += Vector256.Create(a.Slice(i, 4)) * Vector256.WidenLower(vb);
            high += Vector256.Create(a.Slice(i + 4, 4)) * Vector256.WidenUpper(vb);
        }

        double sum = Vector256.Sum(low + high);
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>acc[i] += p * v[i] in double: attention's weighted sum of value rows.</summary>
    public static void AddScaled(Span<double> acc, double p, ReadOnlySpan<float> v)
    {
        Vector256<double> scale = Vector256.Create(p);
        int i = 0;
        for (; i + 8 <= v.Length; i += 8)
        {
            Vector256<float> vv = Vector256.Create(v.Slice(i, 8));
            (Vector256.Create((ReadOnlySpan<double>)acc.Slice(i, 4)) + (scale * Vector256.WidenLower(vv))).CopyTo(acc.Slice(i, 4));
            (Vector256.Create((ReadOnlySpan<double>)acc.Slice(i + 4, 4)) + (scale * Vector256.WidenUpper(vv))).CopyTo(acc.Slice(i + 4, 4));
        }

        for (; i < v.Length; i++)
        {
            acc[i] += p * v[i];
        }
    }

    /// <summary>torch's <c>nn.Linear</c>: y[r] = W x[r] + b, with W stored [out, in] as in the checkpoint.</summary>
    public static float[] Linear(float[] x, int rows, int inFeatures, float[] weight, int outFeatures, float[]? bias)
    {
        if (x.Length < (long)rows * inFeatures || weight.Length != (long)outFeatures * inFeatures)
        {
            throw new ArgumentException($"Linear: input {x.Length} floats for {rows}x{inFeatures}, weight {weight.Length} floats for {outFeatures}x{inFeatures}.");
        }

        // Jobs are (row, block of outputs) so that a single decode row still uses every core.
        const int Block = 256;
        int blocks = (outFeatures + Block - 1) / Block;
        float[] y = new float[rows * outFeatures];
        Parallel.For(0, rows * blocks, job =>
        {
            int r = job / blocks;
            int first = job % blocks * Block;
            int last = Math.Min(first + Block, outFeatures);
            ReadOnlySpan<float> xr = x.AsSpan(r * inFeatures, inFeatures);
            for (int o = first; o < last; o++)
            {
                double s = Dot(xr, weight.AsSpan(o * inFeatures, inFeatures));
                y[(r * outFeatures) + o] = bias is null ? (float)s : (float)(s + bias[o]);
            }
        });
        return y;
    }

    /// <summary>torch's <c>nn.LayerNorm</c> over the last dimension (biased variance).</summary>
    public static float[] LayerNorm(float[] x, int rows, int dim, float[] weight, float[] bias, double eps)
    {
        float[] y = new float[rows * dim];
        Parallel.For(0, rows, r =>
        {
            ReadOnlySpan<float> xr = x.AsSpan(r * dim, dim);
            double mean = 0;
            foreach (float v in xr)
            {
                mean += v;
            }

            mean /= dim;
            double variance = 0;
            foreach (float v in xr)
            {
                variance += (v - mean) * (v - mean);
            }

            double inv = 1.0 / Math.Sqrt((variance / dim) + eps);
            for (int i = 0; i < dim; i++)
            {
                y[(r * dim) + i] = (float)(((xr[i] - mean) * inv * weight[i]) + bias[i]);
            }
        });
        return y;
    }

    /// <summary>
    /// LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) computed in fp32, then multiplied by the weight; the two
    /// float roundings are kept because HF has them.
    /// </summary>
    public static float[] RmsNorm(float[] x, int rows, int dim, float[] weight, double eps)
    {
        float[] y = new float[rows * dim];
        Parallel.For(0, rows, r =>
        {
            ReadOnlySpan<float> xr = x.AsSpan(r * dim, dim);
            double meanSquare = Dot(xr, xr) / dim;
            double inv = 1.0 / Math.Sqrt(meanSquare + eps);
            for (int i = 0; i < dim; i++)
            {
                float normed = (float)(xr[i] * inv);
                y[(r * dim) + i] = weight[i] * normed;
            }
        });
        return y;
    }

    /// <summary>
    /// Scaled dot-product attention, eager-style: softmax(q k^T * scale + mask) v per head. q is
    /// [qRows, heads*headDim]; k and v are [kvRows, kvHeads*headDim]. Query head h reads key/value head
    /// h / (heads / kvHeads), which is what HF's <c>repeat_kv</c> (repeat_interleave) produces. With a
    /// causal offset p, query row i sits at absolute position p + i and sees keys 0..p+i; a negative
    /// offset means no mask (CLIP's vision encoder).
    /// </summary>
    public static float[] Attention(
        float[] q, int qRows, float[] k, float[] v, int kvRows, int heads, int kvHeads, int headDim, double scale, int causalOffset)
    {
        int groups = heads / kvHeads;
        int qWidth = heads * headDim;
        float[] keysT = TransposeHeads(k, kvRows, kvHeads, headDim);
        float[] valuesT = TransposeHeads(v, kvRows, kvHeads, headDim);
        float[] output = new float[qRows * qWidth];
        Parallel.For(0, qRows * heads, () => new double[kvRows], (job, _, buffer) =>
        {
            int row = job / heads;
            int head = job % heads;
            int kvHead = head / groups;
            int visible = causalOffset < 0 ? kvRows : Math.Min(kvRows, causalOffset + row + 1);
            Span<double> scores = buffer.AsSpan(0, visible);

            // scores_j = sum_d q_d k_jd, swept over the keys one dimension at a time (keys stored transposed).
            scores.Clear();
            for (int d = 0; d < headDim; d++)
            {
                float qd = q[(row * qWidth) + (head * headDim) + d];
                AddScaled(scores, qd, keysT.AsSpan((((kvHead * headDim) + d) * kvRows), visible));
            }

            double max = double.NegativeInfinity;
            foreach (double score in scores)
            {
                max = Math.Max(max, score * scale);
            }

            double sum = ExpShifted(scores, scale, max);

            for (int d = 0; d < headDim; d++)
            {
                double weighted = Dot(scores, valuesT.AsSpan((((kvHead * headDim) + d) * kvRows), visible));
                output[(row * qWidth) + (head * headDim) + d] = (float)(weighted / sum);
            }

            return buffer;
        }, _ => { });
        return output;
    }

    /// <summary>x[j] = exp(x[j] * scale - max) in place, returning the sum: softmax's numerator, vectorised.</summary>
    private static double ExpShifted(Span<double> x, double scale, double max)
    {
        Vector256<double> vScale = Vector256.Create(scale);
        Vector256<double> vMax = Vector256.Create(max);
        Vector256<double> total = Vector256<double>.Zero;
        int j = 0;
        for (; j + 4 <= x.Length; j += 4)
        {
            Vector256<double> e = Vector256.Exp((Vector256.Create((ReadOnlySpan<double>)x.Slice(j, 4)) * vScale) - vMax);
            e.CopyTo(x.Slice(j, 4));
            total += e;
        }

        double sum = Vector256.Sum(total);
        for (; j < x.Length; j++)
        {
            x[j] = Math.Exp((x[j] * scale) - max);
            sum += x[j];
        }

        return sum;
    }

    /// <summary>[rows, heads*headDim] -> [heads*headDim, rows], so one head dimension is contiguous over rows.</summary>
    private static float[] TransposeHeads(float[] x, int rows, int heads, int headDim)
    {
        int width = heads * headDim;
        float[] t = new float[width * rows];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                t[(c * rows) + r] = x[(r * width) + c];
            }
        }

        return t;
    }

    /// <summary>CLIP's <c>quick_gelu</c>: x * sigmoid(1.702 x).</summary>
    public static float QuickGelu(float x) => (float)(x / (1.0 + Math.Exp(-1.702 * x)));

    /// <summary>The exact GELU of <c>nn.GELU()</c> / ACT2FN["gelu"]: 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public static float Gelu(float x) => (float)(0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0))));

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    public static float Silu(float x) => (float)(x / (1.0 + Math.Exp(-(double)x)));

    /// <summary>
    /// The error function to about 1e-15: .NET has none. A positive-term series below 2.5 (no
    /// cancellation) and the classic continued fraction for erfc above.
    /// </summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        double result;
        if (ax < 2.5)
        {
            // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1))
            double twoX2 = 2.0 * ax * ax;
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 500 && term > 1e-18 * sum; n++)
            {
                term *= twoX2 / ((2 * n) + 1);
                sum += term;
            }

            result = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-ax * ax) * sum;
        }
        else
        {
            // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards.
            double f = ax;
            for (int n = 300; n >= 1; n--)
            {
                f = ax + (n / 2.0 / f);
            }

            result = 1.0 - (Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f);
        }

        return x < 0 ? -result : result;
    }

    /// <summary>Index of the largest value; the first one wins ties, as torch.argmax does.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Reads a tensor and checks its shape, so a wrong checkpoint fails with the tensor's name.</summary>
    public static float[] Read(ITensorSource source, string name, params long[] expectedShape)
    {
        long[] shape = source.GetShape(name);
        if (!shape.AsSpan().SequenceEqual(expectedShape))
        {
            throw new CheckpointException(
                $"{name}: shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expectedShape)}].");
        }

        return source.ReadFloat32(name);
    }
}
