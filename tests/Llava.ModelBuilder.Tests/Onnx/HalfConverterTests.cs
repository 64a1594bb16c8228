using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Tests.Onnx;

public sealed class HalfConverterTests
{
    [Fact]
    public void FloatToHalf_rounds_to_nearest_even_like_System_Half()
    {
        float ulp = MathF.Pow(2, -10);
        float[] source =
        [
            1f + (ulp / 2),         // tie: stays on the even 1.0
            1f + (ulp * 3 / 2),     // tie: goes up to the even 1 + 2 ulp
            1f + (ulp / 2) + 1e-7f, // just above a tie: rounds up
            65519.99f,              // rounds down to the largest finite fp16
            65520f,                 // tie above max: becomes infinity
            MathF.Pow(2, -25),      // half the smallest subnormal: tie to zero
            MathF.Pow(2, -24) * 1.5f, // tie between subnormals 1 and 2: goes to 2
            -0f,
            float.NaN,
        ];
        ushort[] expectedBits = [0x3C00, 0x3C02, 0x3C01, 0x7BFF, 0x7C00, 0x0000, 0x0002, 0x8000];

        Half[] converted = HalfConverter.FloatToHalf(source);

        for (int i = 0; i < expectedBits.Length; i++)
        {
            Assert.Equal(expectedBits[i], BitConverter.HalfToUInt16Bits(converted[i]));
        }

        Assert.True(Half.IsNaN(converted[^1]));
        var random = new Random(5);
        for (int i = 0; i < 10_000; i++)
        {
            float value = BitConverter.Int32BitsToSingle(random.Next());
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)value), BitConverter.HalfToUInt16Bits(HalfConverter.FloatToHalf([value])[0]));
        }
    }

    [Fact]
    public void BFloat16_bit_patterns_convert_exactly()
    {
        Assert.Equal(1f, HalfConverter.BFloat16BitsToFloat(0x3F80));
        Assert.Equal(-2f, HalfConverter.BFloat16BitsToFloat(0xC000));
        Assert.Equal(3.140625f, HalfConverter.BFloat16BitsToFloat(0x4049));
        Assert.Equal(float.PositiveInfinity, HalfConverter.BFloat16BitsToFloat(0x7F80));
        Assert.Equal(MathF.Pow(2, -133), HalfConverter.BFloat16BitsToFloat(0x0001));

        var all = new ushort[65536];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (ushort)i;
        }

        var floats = new float[all.Length];
        HalfConverter.BFloat16BitsToFloat(all, floats);
        for (int i = 0; i < all.Length; i++)
        {
            // Every pattern, NaN payloads included, is the top half of the float32.
            Assert.Equal((uint)i << 16, BitConverter.SingleToUInt32Bits(floats[i]));
            if (!float.IsNaN(floats[i]))
            {
                Assert.Equal((ushort)i, HalfConverter.FloatToBFloat16Bits(floats[i]));
            }
        }
    }

    [Fact]
    public void FloatToBFloat16Bits_rounds_to_nearest_even()
    {
        float ulp = MathF.Pow(2, -7);
        Assert.Equal(0x3F80, HalfConverter.FloatToBFloat16Bits(1f + (ulp / 2)));
        Assert.Equal(0x3F82, HalfConverter.FloatToBFloat16Bits(1f + (ulp * 3 / 2)));
        Assert.Equal(0x3F81, HalfConverter.FloatToBFloat16Bits(1f + (ulp / 2) + MathF.Pow(2, -20)));
        Assert.True(float.IsNaN(HalfConverter.BFloat16BitsToFloat(HalfConverter.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x7F800001)))));
    }

    [Fact]
    public void Float16_bit_patterns_convert_exactly()
    {
        Assert.Equal(1f, HalfConverter.HalfBitsToFloat(0x3C00));
        Assert.Equal(MathF.Pow(2, -24), HalfConverter.HalfBitsToFloat(0x0001));
        Assert.Equal(65504f, HalfConverter.HalfBitsToFloat(0x7BFF));
        Assert.Equal(float.NegativeInfinity, HalfConverter.HalfBitsToFloat(0xFC00));

        var all = new ushort[65536];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (ushort)i;
        }

        var floats = new float[all.Length];
        HalfConverter.HalfBitsToFloat(all, floats);
        for (int i = 0; i < all.Length; i++)
        {
            Half back = (Half)floats[i];
            Assert.True(Half.IsNaN(back) || BitConverter.HalfToUInt16Bits(back) == i, $"Pattern 0x{i:X4} does not round-trip.");
        }
    }
}
