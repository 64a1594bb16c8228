using System.Buffers;
using System.Buffers.Binary;
using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// Receives one tensor's float32 values, in row-major order and in as many pieces as the producer likes, and
/// writes them in the tensor's stored dtype. The writer checks afterwards that exactly the element count came.
/// </summary>
public sealed class TensorDataSink
{
    private const int ChunkElements = 1 << 18;

    private readonly Stream _stream;

    internal TensorDataSink(Stream stream, TensorSpec spec)
    {
        _stream = stream;
        Spec = spec;
    }

    public TensorSpec Spec { get; }

    /// <summary>Elements written so far.</summary>
    public long Written { get; private set; }

    public long Remaining => Spec.ElementCount - Written;

    public void Write(ReadOnlySpan<float> values)
    {
        if (values.Length > Remaining)
        {
            throw new InvalidOperationException($"Tensor '{Spec.Name}' takes {Spec.ElementCount} elements; {Written + values.Length} were written.");
        }

        int size = SafetensorsDTypes.ElementSize(Spec.DType);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkElements * size);
        try
        {
            while (!values.IsEmpty)
            {
                int n = Math.Min(values.Length, ChunkElements);
                Span<byte> bytes = buffer.AsSpan(0, n * size);
                Encode(values[..n], bytes);
                _stream.Write(bytes);
                values = values[n..];
                Written += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Encode(ReadOnlySpan<float> values, Span<byte> bytes)
    {
        switch (Spec.DType)
        {
            case SafetensorsDType.F32:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * 4)..], values[i]);
                }

                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(bytes[(i * 2)..], (Half)values[i]);
                }

                break;
            default:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes[(i * 2)..], HalfConverter.FloatToBFloat16Bits(values[i]));
                }

                break;
        }
    }
}
