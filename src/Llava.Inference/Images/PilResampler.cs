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
    public static void ResizeBicubic(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height) =>
        ResizeBicubicWindow(source, sourceWidth, sourceHeight, width, height, 0, 0, destination, width, height);

    /// <summary>
    /// The <paramref name="windowWidth"/> x <paramref name="windowHeight"/> rectangle at (<paramref name="left"/>,
    /// <paramref name="top"/>) of the <paramref name="width"/> x <paramref name="height"/> resize, bit for bit, without
    /// computing anything outside it: an output pixel depends only on its own taps, so only the window's columns and
    /// the source rows its taps reach are resampled. A 1 x 6000 strip resized to 336 x 2,016,000 and centre-cropped
    /// costs a 336 x 336 window and a few rows, not the whole resize.
    /// </summary>
    public static void ResizeBicubicWindow(
        ReadOnlySpan<byte> source,
        int sourceWidth,
        int sourceHeight,
        int width,
        int height,
        int left,
        int top,
        Span<byte> destination,
        int windowWidth,
        int windowHeight)
    {
        ValidateWindow(source, sourceWidth, sourceHeight, width, height, left, top, windowWidth, windowHeight);
        if (destination.Length < (long)windowWidth * windowHeight * 3)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; {windowWidth}x{windowHeight} RGB needs {(long)windowWidth * windowHeight * 3}.", nameof(destination));
        }

        int sourceStride = sourceWidth * 3;
        if (width == sourceWidth && height == sourceHeight)
        {
            // PIL returns a copy when neither size nor box changes.
            for (int y = 0; y < windowHeight; y++)
            {
                source.Slice(((top + y) * sourceStride) + (left * 3), windowWidth * 3).CopyTo(destination.Slice(y * windowWidth * 3));
            }

            return;
        }

        Kernel vertical = Kernel.Create(sourceHeight, height, top, windowHeight);
        if (width == sourceWidth)
        {
            Vertical(source, sourceStride, left, windowWidth, vertical, rowOffset: 0, destination, windowHeight);
            return;
        }

        Kernel horizontal = Kernel.Create(sourceWidth, width, left, windowWidth);
        if (height == sourceHeight)
        {
            Horizontal(source, sourceWidth, horizontal, top, destination, windowWidth, windowHeight);
            return;
        }

        // Only the rows the vertical pass reads: from the first window row's first tap to the last one's last tap.
        (int firstRow, int rows) = vertical.SourceSpan;
        byte[] temp = new byte[checked(windowWidth * rows * 3)];
        Horizontal(source, sourceWidth, horizontal, firstRow, temp, windowWidth, rows);
        Vertical(temp, windowWidth * 3, 0, windowWidth, vertical, rowOffset: firstRow, destination, windowHeight);
    }

    /// <summary>
    /// Pixels of the buffer <see cref="ResizeBicubicWindow"/> allocates between its passes (0 when one pass is
    /// skipped): the window's width times the source rows the window's taps reach.
    /// </summary>
    public static long WindowBufferPixels(int sourceWidth, int sourceHeight, int width, int height, int top, int windowWidth, int windowHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowHeight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, height - windowHeight);
        if (width == sourceWidth || height == sourceHeight)
        {
            return 0;
        }

        (int first, _) = Kernel.Support(sourceHeight, height, top);
        (int last, int count) = Kernel.Support(sourceHeight, height, top + windowHeight - 1);
        return (long)windowWidth * (last + count - first);
    }

    private static void ValidateWindow(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int width, int height, int left, int top, int windowWidth, int windowHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowHeight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(left, width - windowWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, height - windowHeight);
        if (source.Length < (long)sourceWidth * sourceHeight * 3)
        {
            throw new ArgumentException($"The source holds {source.Length} bytes; {sourceWidth}x{sourceHeight} RGB needs {(long)sourceWidth * sourceHeight * 3}.", nameof(source));
        }
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

    /// <summary>The vertical pass over columns [<paramref name="column"/>, + <paramref name="width"/>) of rows <paramref name="sourceStride"/> bytes apart.</summary>
    private static void Vertical(ReadOnlySpan<byte> source, int sourceStride, int column, int width, Kernel kernel, int rowOffset, Span<byte> destination, int height)
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
                ReadOnlySpan<byte> row = source.Slice(((start + i) * sourceStride) + (column * 3), stride);
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

    /// <summary>
    /// Per output pixel of a window of the output: the first source index, the tap count, and fixed-point weights
    /// (Pillow's precompute_coeffs). Each output pixel's taps depend on its own index only, so a window's kernel is
    /// the same slice of the whole output's kernel.
    /// </summary>
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

        /// <summary>The source indices the window reads: from the first pixel's first tap to the last pixel's last tap.</summary>
        public (int First, int Count) SourceSpan
        {
            get
            {
                int last = Bounds.Length - 2;
                return (Bounds[0], Bounds[last] + Bounds[last + 1] - Bounds[0]);
            }
        }

        /// <summary>The kernel of output pixels [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>).</summary>
        public static Kernel Create(int inSize, int outSize, int first, int count)
        {
            (double scale, double filterScale, double support) = Scale(inSize, outSize);
            int taps = ((int)Math.Ceiling(support) * 2) + 1;
            int[] bounds = new int[count * 2];
            int[] weights = new int[count * taps];
            double[] k = new double[taps];
            for (int i = 0; i < count; i++)
            {
                int xx = first + i;
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                (int xmin, int xmax) = Support(inSize, center, support);
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
                    weights[(i * taps) + x] = k[x] < 0
                        ? (int)(-0.5 + (k[x] * (1 << PrecisionBits)))
                        : (int)(0.5 + (k[x] * (1 << PrecisionBits)));
                }

                bounds[2 * i] = xmin;
                bounds[(2 * i) + 1] = xmax;
            }

            return new Kernel(taps, bounds, weights);
        }

        /// <summary>Output pixel <paramref name="xx"/>'s first source index and tap count.</summary>
        public static (int First, int Count) Support(int inSize, int outSize, int xx)
        {
            (double scale, _, double support) = Scale(inSize, outSize);
            return Support(inSize, (xx + 0.5) * scale, support);
        }

        private static (double Scale, double FilterScale, double Support) Scale(int inSize, int outSize)
        {
            // The box is the whole image: in0 = 0, in1 = inSize (Pillow keeps them as float; exact for these sizes).
            double scale = (double)inSize / outSize;
            double filterScale = scale < 1.0 ? 1.0 : scale;
            return (scale, filterScale, BicubicSupport * filterScale);
        }

        private static (int First, int Count) Support(int inSize, double center, double support)
        {
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

            return (xmin, xmax - xmin);
        }
    }
}
