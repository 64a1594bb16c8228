namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// Block-wise 4-bit quantization of HF linear weights for the <c>com.microsoft.MatMulNBits</c> op, with the two
/// schemes of ONNX Runtime's own quantizer (MLAS). <see cref="Int4Scheme.Asymmetric"/>: each block of
/// <c>block_size</c> values along K gets scale = (max - min) / 15 and zero point round(-min / scale) over a range
/// widened to include 0, so that 0 stays exactly representable and the zero point always falls in 0..15.
/// <see cref="Int4Scheme.Symmetric"/>: scale = m / -8 where m is the block's value of largest magnitude (so m
/// itself is level 0) and the zero point is the op's default 8. The op dequantizes (q - zero_point) * scale and
/// computes Y = A x W^T.
/// </summary>
public static class Int4BlockQuantizer
{
    private const int MaxQuant = 15;

    /// <summary>The zero point MatMulNBits assumes when the graph gives none.</summary>
    private const byte SymmetricZeroPoint = 8;

    /// <summary>
    /// Quantizes W[N, K] (row-major, HF <c>nn.Linear.weight</c>) with <paramref name="scheme"/> (see the class
    /// remarks). With <paramref name="scaleType"/> Float16 each scale is rounded to fp16 before the values are
    /// quantized against it, so the graph's fp16 scales reproduce <see cref="Dequantize"/> exactly.
    /// </summary>
    public static Int4QuantizedWeight Quantize(float[] weightOutIn, int n, int k, int blockSize, OnnxDataType scaleType = OnnxDataType.Float, Int4Scheme scheme = Int4Scheme.Asymmetric)
    {
        ArgumentNullException.ThrowIfNull(weightOutIn);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (blockSize < 16 || (blockSize & (blockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "MatMulNBits needs a power-of-two block size of at least 16.");
        }

        if (scaleType is not (OnnxDataType.Float or OnnxDataType.Float16))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleType), scaleType, "Scales are float32 or float16.");
        }

        if (!Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown int4 scheme.");
        }

        if (weightOutIn.Length != (long)n * k)
        {
            throw new ArgumentException($"Weight has {weightOutIn.Length} values, expected N*K = {(long)n * k}.", nameof(weightOutIn));
        }

        int blocks = (k + blockSize - 1) / blockSize;
        int blobSize = blockSize / 2;
        int zeroPointBytes = (blocks + 1) / 2;
        var packed = new byte[checked((long)n * blocks * blobSize)];
        var scales = new float[checked((long)n * blocks)];
        bool symmetric = scheme == Int4Scheme.Symmetric;
        byte[]? zeroPoints = symmetric ? null : new byte[checked((long)n * zeroPointBytes)];
        bool halfScales = scaleType == OnnxDataType.Float16;

        // Rows are independent: quantizing a 34B checkpoint is worth every core.
        Parallel.For(0, n, row =>
        {
            ReadOnlySpan<float> source = weightOutIn.AsSpan(checked((int)((long)row * k)), k);
            for (int block = 0; block < blocks; block++)
            {
                int start = block * blockSize;
                int count = Math.Min(blockSize, k - start);
                ReadOnlySpan<float> values = source.Slice(start, count);

                (float scale, byte zeroPoint) = symmetric ? SymmetricRange(values, halfScales) : AsymmetricRange(values, halfScales);

                int blockIndex = row * blocks + block;
                scales[blockIndex] = scale;
                if (zeroPoints is not null)
                {
                    zeroPoints[(row * zeroPointBytes) + (block / 2)] |= (byte)((block & 1) == 0 ? zeroPoint : zeroPoint << 4);
                }

                float reciprocal = scale != 0f ? 1f / scale : 0f;
                Span<byte> blob = packed.AsSpan(blockIndex * blobSize, blobSize);
                for (int i = 0; i < blockSize; i++)
                {
                    // Padding past K quantizes as 0, i.e. to the zero point; the kernel never reads it.
                    int q = i < count
                        ? (int)Math.Clamp(MathF.Round((values[i] * reciprocal) + zeroPoint, MidpointRounding.AwayFromZero), 0f, MaxQuant)
                        : zeroPoint;
                    blob[i / 2] |= (byte)((i & 1) == 0 ? q : q << 4);
                }
            }
        });

        return new Int4QuantizedWeight(n, k, blockSize, packed, scales, zeroPoints);
    }

    // Widening the range to include 0 keeps the zero point inside 0..15 (as ORT's quantizer does). The zero point
    // is taken against the scale as stored (fp16-rounded for fp16 graphs).
    private static (float Scale, byte ZeroPoint) AsymmetricRange(ReadOnlySpan<float> values, bool halfScale)
    {
        float min = 0f;
        float max = 0f;
        foreach (float v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        float scale = (max - min) / MaxQuant;
        if (halfScale)
        {
            scale = (float)(Half)scale;
        }

        byte zeroPoint = scale == 0f ? (byte)0 : (byte)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.AwayFromZero), 0f, MaxQuant);
        return (scale, zeroPoint);
    }

    // The signed extreme maps to level 0 (-8 steps from the zero point), so the scale is negative when it is
    // positive; the opposite side reaches +7 steps, the last half step clamped.
    private static (float Scale, byte ZeroPoint) SymmetricRange(ReadOnlySpan<float> values, bool halfScale)
    {
        float extreme = 0f;
        foreach (float v in values)
        {
            if (Math.Abs(v) > Math.Abs(extreme))
            {
                extreme = v;
            }
        }

        float scale = extreme / -SymmetricZeroPoint;
        return (halfScale ? (float)(Half)scale : scale, SymmetricZeroPoint);
    }

    /// <summary>The weight the op computes with: W'[N, K] = (q - zero_point) * scale, row-major.</summary>
    public static float[] Dequantize(Int4QuantizedWeight weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        int n = weight.N;
        int k = weight.K;
        int blocks = weight.BlocksPerColumn;
        var result = new float[checked((long)n * k)];
        for (int row = 0; row < n; row++)
        {
            for (int col = 0; col < k; col++)
            {
                int block = col / weight.BlockSize;
                int inBlock = col % weight.BlockSize;
                int blockIndex = (row * blocks) + block;
                byte packedByte = weight.Packed[(blockIndex * weight.BlobSize) + (inBlock / 2)];
                int q = (inBlock & 1) == 0 ? packedByte & 0xF : packedByte >> 4;
                int zeroPoint = SymmetricZeroPoint;
                if (weight.ZeroPoints is { } zeroPoints)
                {
                    byte zeroPointByte = zeroPoints[(row * weight.ZeroPointBytesPerRow) + (block / 2)];
                    zeroPoint = (block & 1) == 0 ? zeroPointByte & 0xF : zeroPointByte >> 4;
                }

                result[((long)row * k) + col] = (q - zeroPoint) * weight.Scales[blockIndex];
            }
        }

        return result;
    }

    /// <summary>
    /// Quantizes W[N, K] and adds Y = input x W^T as a MatMulNBits node whose activation (and so scale) type is
    /// <paramref name="activationType"/> (Float or Float16); returns Y's name. <paramref name="accuracyLevel"/> 0
    /// leaves the attribute unset; 4 lets the CPU kernel quantize A to int8 (faster, less exact). Initializers are
    /// <c>{namePrefix}.qweight</c>, <c>.scales</c> and, for <see cref="Int4Scheme.Asymmetric"/> only, <c>.qzeros</c>;
    /// the node is <c>{namePrefix}/MatMulNBits</c>.
    /// </summary>
    public static string MatMulNBits(OnnxGraphBuilder g, string input, string namePrefix, float[] weightOutIn, int n, int k, int blockSize, OnnxDataType activationType = OnnxDataType.Float, int accuracyLevel = 0, Int4Scheme scheme = Int4Scheme.Asymmetric)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentException.ThrowIfNullOrEmpty(namePrefix);
        ArgumentNullException.ThrowIfNull(weightOutIn);
        ArgumentOutOfRangeException.ThrowIfNegative(accuracyLevel);

        Int4QuantizedWeight q = Quantize(weightOutIn, n, k, blockSize, activationType, scheme);
        string b = g.AddInitializer(namePrefix + ".qweight", OnnxDataType.UInt8, q.PackedShape, q.Packed);
        string scales = activationType == OnnxDataType.Float16
            ? g.AddInitializer(namePrefix + ".scales", HalfConverter.FloatToHalf(q.Scales), q.Scales.Length)
            : g.AddInitializer(namePrefix + ".scales", q.Scales, q.Scales.Length);
        List<string> inputs = [input, b, scales];
        if (q.ZeroPoints is { } zeroPoints)
        {
            inputs.Add(g.AddInitializer(namePrefix + ".qzeros", OnnxDataType.UInt8, [zeroPoints.Length], zeroPoints));
        }

        var attributes = new Dictionary<string, object>
        {
            ["K"] = (long)k,
            ["N"] = (long)n,
            ["bits"] = 4L,
            ["block_size"] = (long)blockSize,
        };
        if (accuracyLevel != 0)
        {
            attributes["accuracy_level"] = (long)accuracyLevel;
        }

        string nodeName = namePrefix + "/MatMulNBits";
        return g.Node("MatMulNBits", [.. inputs], 1, attributes, OnnxGraphBuilder.MicrosoftDomain, nodeName)[0];
    }
}
