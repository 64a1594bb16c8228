using System.Runtime.CompilerServices;

namespace Llava.ModelBuilder.Onnx;

/// <summary>Conversions between float32 and the 16-bit float formats checkpoints and graphs use.</summary>
public static class HalfConverter
{
    /// <summary>float32 to IEEE fp16, round-to-nearest-even (System.Half's explicit conversion rounds that way).</summary>
    public static void FloatToHalf(ReadOnlySpan<float> source, Span<Half> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (Half)source[i];
        }
    }

    public static Half[] FloatToHalf(ReadOnlySpan<float> source)
    {
        var result = new Half[source.Length];
        FloatToHalf(source, result);
        return result;
    }

    /// <summary>IEEE fp16 bit patterns to float32 (exact: every fp16 value is a float32 value).</summary>
    public static void HalfBitsToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = HalfBitsToFloat(source[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfBitsToFloat(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>bfloat16 bit patterns to float32: bf16 is the upper half of a float32, so this is exact.</summary>
    public static void BFloat16BitsToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = BFloat16BitsToFloat(source[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16BitsToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 to bfloat16 bits, round-to-nearest-even; NaN stays a (quiet) NaN.</summary>
    public static ushort FloatToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Rounding could carry a NaN's payload into the exponent and make it infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static void FloatToBFloat16Bits(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FloatToBFloat16Bits(source[i]);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination holds {destination} elements, source has {source}.", nameof(destination));
        }
    }
}
