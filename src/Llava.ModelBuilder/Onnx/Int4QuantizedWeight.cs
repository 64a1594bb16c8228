namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// A linear weight W[N, K] quantized for ONNX Runtime's <c>MatMulNBits</c> (bits = 4): the op's B, scales and
/// zero_points inputs, laid out exactly as the kernel reads them.
/// </summary>
public sealed class Int4QuantizedWeight
{
    internal Int4QuantizedWeight(int n, int k, int blockSize, byte[] packed, float[] scales, byte[]? zeroPoints)
    {
        N = n;
        K = k;
        BlockSize = blockSize;
        Packed = packed;
        Scales = scales;
        ZeroPoints = zeroPoints;
    }

    /// <summary>Output features (rows of the HF weight).</summary>
    public int N { get; }

    /// <summary>Input features (columns of the HF weight).</summary>
    public int K { get; }

    public int BlockSize { get; }

    /// <summary>ceil(K / block_size): blocks along K for each output row.</summary>
    public int BlocksPerColumn => (K + BlockSize - 1) / BlockSize;

    /// <summary>Bytes per block: block_size * 4 / 8.</summary>
    public int BlobSize => BlockSize / 2;

    /// <summary>Bytes of zero points per output row: ceil(blocks * 4 / 8).</summary>
    public int ZeroPointBytesPerRow => (BlocksPerColumn + 1) / 2;

    /// <summary>
    /// B: [N, BlocksPerColumn, BlobSize]. Element k of row n sits in byte (k % block) / 2 of its block, even k in
    /// the low nibble. Elements past K (padding of the last block) hold the block's zero point.
    /// </summary>
    public byte[] Packed { get; }

    /// <summary>scales: [N * BlocksPerColumn], row-major by (n, block).</summary>
    public float[] Scales { get; }

    /// <summary>
    /// zero_points: [N * ZeroPointBytesPerRow], block b of row n in byte b / 2, even b in the low nibble; null for
    /// <see cref="Int4Scheme.Symmetric"/> weights, whose zero point is the op's default 8.
    /// </summary>
    public byte[]? ZeroPoints { get; }

    public long[] PackedShape => [N, BlocksPerColumn, BlobSize];
}
