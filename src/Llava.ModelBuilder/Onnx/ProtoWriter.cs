using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// Minimal protobuf wire-format encoder: varints, fixed32 floats and length-delimited fields.
/// Nested messages are encoded into their own writer first, so each knows its length before it is embedded.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        // int64 fields carry negative numbers as their 64-bit two's complement (10 bytes).
        WriteVarint(unchecked((ulong)value));
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> span = _buffer.GetSpan(4);
        BinaryPrimitives.WriteSingleLittleEndian(span, value);
        _buffer.Advance(4);
    }

    public void WriteString(int field, string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)byteCount);
        Span<byte> span = _buffer.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(byteCount);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.WrittenSpan);

    /// <summary>A <c>[packed = true]</c> repeated int64 field.</summary>
    public void WritePackedInt64(int field, ReadOnlySpan<long> values)
    {
        int length = 0;
        foreach (long value in values)
        {
            length += VarintSize(unchecked((ulong)value));
        }

        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
        foreach (long value in values)
        {
            WriteVarint(unchecked((ulong)value));
        }
    }

    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
