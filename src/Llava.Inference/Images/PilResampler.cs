using System.Numerics;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Images;

/// <summary>
/// PIL's <c>Image.resize((w, h), Image.BICUBIC)</c> for 8-bit RGB, reproduced bit for bit. transformers resizes
/// through PIL, and ImageSharp's bicubic differs by several levels, which moves the model's answers.
/// </summary>
/// <remarks>
/// Pillow's algorithm (libImaging/Resample.c): a separable convolution, horizontal pass first, then vertical.
/// For every output pixel the kernel (Keys cubic, a = -0.5, support 2) is centred on the output pixel's centre
/// mapped into the source, stretched by the downscale factor when shrinking (antialiasing), clipped to the
/// image, normalised to sum 1 in double precision, and then converted to fixed point with 22 fraction bits.
/// Each pass accumulates integers from a rounding bias of one half and clips to 0..255. The horizontal pass
/// only computes the source rows the vertical pass will read. A pass whose size does not change is skipped.
/// </remarks>
public static class PilResampler
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const double BicubicSupport = 2.0;

    /// <summary>Resizes an image; the source is left untouched.</summary>
    public static Image<Rgb24> ResizeBicubic(Image<Rgb24> source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        byte[] from = new byte[source.Width * source.Height * 3];
        source.CopyPixelDataTo(from);
        byte[] to = new byte[checked(width * height * 3)];
        ResizeBicubic(from, source.Width, source.Height, to, width, height);
        return Image.LoadPixelData<Rgb24>(to, width, height);
    }

    /// <summary>Resizes packed RGB24 rows (<c>width * 3</c> bytes each, no padding).</summary>
    public static void ResizeBicubic(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (source.Length < (long)sourceWidth * sourceHeight * 3)
        {
            throw new ArgumentException($"The source holds {source.Length} bytes; {sourceWidth}x{sourceHeight} RGB needs {(long)sourceWidth * sourceHeight * 3}.", nameof(source));
        }

        if (destination.Length < (long)width * height * 3)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; {width}x{height} RGB needs {(long)width * height * 3}.", nameof(destination));
        }

        int sourceBytes = sourceWidth * sourceHeight * 3;
        if (width == sourceWidth && height == sourceHeight)
        {
            // PIL returns a copy when neither size nor box changes.
            source[..sourceBytes].CopyTo(destination);
            return;
        }

        Kernel vertical = Kernel.Create(sourceHeight, height);
        if (width == sourceWidth)
        {
            Vertical(source, sourceWidth, vertical, rowOffset: 0, destination, height);
            return;
        }

        Kernel horizontal = Kernel.Create(sourceWidth, width);
        // Only the rows the vertical pass reads: from the first output row's first tap to the last one's last tap.
        int firstRow = vertical.Bounds[0];
        int lastRow = vertical.Bounds[(2 * height) - 2] + vertical.Bounds[(2 * height) - 1];
        if (height == sourceHeight)
        {
            Horizontal(source, sourceWidth, horizontal, firstRow, destination, width, lastRow - firstRow);
            return;
        }

        byte[] temp = new byte[width * (lastRow - firstRow) * 3];
        Horizontal(source, sourceWidth, horizontal, firstRow, temp, width, lastRow - firstRow);
        Vertical(temp, width, vertical, rowOffset: firstRow, destination, height);
    }

    private static void Horizontal(ReadOnlySpan<byte> source, int sourceWidth, Kernel kernel, int firstRow, Span<byte> destination, int width, int rows)
    {
        int[] bounds = kernel.Bounds;
        int[] weights = kernel.Weights;
        int taps = kernel.Taps;
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<byte> row = source.Slice((y + firstRow) * sourceWidth * 3, sourceWidth * 3);
            Span<byte> output = destination.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                int start = bounds[2 * x];
                int count = bounds[(2 * x) + 1];
                ReadOnlySpan<int> k = weights.AsSpan(x * taps, count);
                ReadOnlySpan<byte> pixels = row.Slice(start * 3, count * 3);
                int r = 1 << (PrecisionBits - 1);
                int g = r;
                int b = r;
                for (int i = 0; i < k.Length; i++)
                {
                    r += pixels[3 * i] * k[i];
                    g += pixels[(3 * i) + 1] * k[i];
                    b += pixels[(3 * i) + 2] * k[i];
                }

                output[3 * x] = Clip8(r);
                output[(3 * x) + 1] = Clip8(g);
                output[(3 * x) + 2] = Clip8(b);
            }
        }
    }

    private static void Vertical(ReadOnlySpan<byte> source, int width, Kernel kernel, int rowOffset, Span<byte> destination, int height)
    {
        int[] bounds = kernel.Bounds;
        int[] weights = kernel.Weights;
        int taps = kernel.Taps;
        int stride = width * 3;
        // Whole vectors of bytes; the tail is done one value at a time.
        int vectorEnd = stride - (stride % Vector<byte>.Count);
        int[] sums = new int[stride];
        Span<Vector<int>> vectorSums = MemoryMarshal.Cast<int, Vector<int>>(sums.AsSpan(0, vectorEnd));
        for (int y = 0; y < height; y++)
        {
            int start = bounds[2 * y] - rowOffset;
            int count = bounds[(2 * y) + 1];
            ReadOnlySpan<int> k = weights.AsSpan(y * taps, count);
            sums.AsSpan().Fill(1 << (PrecisionBits - 1));
            // Row by row: the same integer sums as Pillow's per-pixel loop (integer addition is exact in any order),
            // reading memory linearly and many values at a time.
            for (int i = 0; i < k.Length; i++)
            {
                ReadOnlySpan<byte> row = source.Slice((start + i) * stride, stride);
                int weight = k[i];
                Vector<int> w = new(weight);
                ReadOnlySpan<Vector<byte>> bytes = MemoryMarshal.Cast<byte, Vector<byte>>(row[..vectorEnd]);
                for (int v = 0; v < bytes.Length; v++)
                {
                    Vector.Widen(bytes[v], out Vector<ushort> low, out Vector<ushort> high);
                    Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
                    Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
                    int at = 4 * v;
                    vectorSums[at] += Vector.AsVectorInt32(a) * w;
                    vectorSums[at + 1] += Vector.AsVectorInt32(b) * w;
                    vectorSums[at + 2] += Vector.AsVectorInt32(c) * w;
                    vectorSums[at + 3] += Vector.AsVectorInt32(d) * w;
                }

                for (int j = vectorEnd; j < stride; j++)
                {
                    sums[j] += row[j] * weight;
                }
            }

            Span<byte> output = destination.Slice(y * stride, stride);
            for (int j = 0; j < stride; j++)
            {
                output[j] = Clip8(sums[j]);
            }
        }
    }

    /// <summary>Pillow's clip8: the integer part of the fixed-point sum, clamped to a byte.</summary>
    private static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static double Bicubic(double x)
    {
        const double A = -0.5;
        if (x < 0.0)
        {
            x = -x;
        }

        if (x < 1.0)
        {
            return ((((A + 2.0) * x) - (A + 3.0)) * x * x) + 1;
        }

        if (x < 2.0)
        {
            return ((((((x - 5) * x) + 8) * x) - 4) * A);
        }

        return 0.0;
    }

    /// <summary>Per output pixel: the first source index, the tap count, and fixed-point weights (Pillow's precompute_coeffs).</summary>
    private sealed class Kernel
    {
        private Kernel(int taps, int[] bounds, int[] weights)
        {
            Taps = taps;
            Bounds = bounds;
            Weights = weights;
        }

        public int Taps { get; }

        public int[] Bounds { get; }

        public int[] Weights { get; }

        public static Kernel Create(int inSize, int outSize)
        {
            // The box is the whole image: in0 = 0, in1 = inSize (Pillow keeps them as float; exact for these sizes).
            double scale = (double)inSize / outSize;
            double filterScale = scale < 1.0 ? 1.0 : scale;
            double support = BicubicSupport * filterScale;
            int taps = ((int)Math.Ceiling(support) * 2) + 1;
            int[] bounds = new int[outSize * 2];
            int[] weights = new int[outSize * taps];
            double[] k = new double[taps];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                int xmin = (int)(center - support + 0.5);
                if (xmin < 0)
                {
                    xmin = 0;
                }

                int xmax = (int)(center + support + 0.5);
                if (xmax > inSize)
                {
                    xmax = inSize;
                }

                xmax -= xmin;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Bicubic((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }

                for (int x = 0; x < xmax; x++)
                {
                    if (ww != 0.0)
                    {
                        k[x] /= ww;
                    }

                    // Round half away from zero into 22 fraction bits, as Pillow's normalize_coeffs_8bpc.
                    weights[(xx * taps) + x] = k[x] < 0
                        ? (int)(-0.5 + (k[x] * (1 << PrecisionBits)))
                        : (int)(0.5 + (k[x] * (1 << PrecisionBits)));
                }

                bounds[2 * xx] = xmin;
                bounds[(2 * xx) + 1] = xmax;
            }

            return new Kernel(taps, bounds, weights);
        }
    }
}
