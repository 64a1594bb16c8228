using System.Security.Cryptography;
using Llava.Inference.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Images;

public sealed class PilResamplerTests
{
    /// <summary>
    /// SHA-256 of Pillow 9.4.0's <c>Image.fromarray(lcg, "RGB").resize((w, h), Image.BICUBIC)</c> bytes, computed
    /// once with Debian's python3-pil (the Pillow transformers used for our golden fixtures). Sizes cover up and
    /// down, odd sizes, one-pixel edges, one-axis-only resizes, and 0/255 noise whose overshoot must clip.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1, 1, false, "37d1c2da22758a9a9933ad4cb28d6f982d70bc969be738c8dc9d203ac55ebe96")]
    [InlineData(1, 1, 5, 3, false, "c1fc32637f73e2d7ac1bc9effb9025ec5a526e1fbe80b6e8dff0f3204e4dd459")]
    [InlineData(5, 3, 1, 1, false, "5411c87ec263cf97c881092639256ff2b143d3c5e99172d4143b72c465565a2c")]
    [InlineData(2, 2, 3, 3, true, "bee023a5c78141932716d00a5d75f3f42c5eedfd7a0f30a1cba9d83d662d431e")]
    [InlineData(3, 3, 2, 2, true, "30f47cf2398f6d8fd2e5b3781298c333703c29028812c87b6b9325bbf530621e")]
    [InlineData(7, 5, 3, 4, false, "b6a5e2080a857f4f41f997841859aecfc03e339f1fa07a1439b07291def910cf")]
    [InlineData(7, 5, 11, 9, true, "3ca8d8285323c829609c9ffa2e0c338c1fde830a795b2a12d06e3d1b2b56b667")]
    [InlineData(1, 9, 1, 4, false, "36f2d97a9453779756c77005cb078c06c02114ad338aee43eadb01969c154754")]
    [InlineData(9, 1, 4, 1, false, "42ec7257864f0c0b7930d370c5f79e79fde01aef3c38cf644070cacca4cdbd6a")]
    [InlineData(1, 7, 6, 1, true, "ae3477ce5f1b8f977c0c3b56e57a42b4139862f51224e4778426a92b6f9b61f6")]
    [InlineData(40, 30, 13, 7, false, "2a186a8338971b1d52022896524d6989eba61904c94b2b7ed7a309b0ea7a5e25")]
    [InlineData(13, 7, 40, 30, true, "f26d2ccbb893d50a139d2717128faec61ddf554b5db864cb7aea1fee67f54127")]
    [InlineData(64, 48, 64, 17, false, "9a3aa8ad3f2beb5d7aea87dcb3b6e3c210d40a1e6c71ba284df08b2c00e00c66")]
    [InlineData(64, 48, 17, 48, false, "b2d20c221ccf32a6afd63dd082b034d8d392cc8fcced5a554bd3acd2de782c44")]
    [InlineData(100, 3, 7, 2, true, "e61bb37e3934df8c4f910c0c2c251cd0636f2d2bb1545c58a55942d9ec5906bb")]
    [InlineData(33, 65, 336, 336, false, "773d0677058d619d449b2bd76917f6c0169428994cf7e32646f9cc1019393201")]
    [InlineData(500, 375, 448, 336, false, "7d62795546bf73270ab373cd53457d09a0a1c23a98905662422f43fe05a01e43")]
    [InlineData(375, 500, 336, 448, true, "36777523ab3b76fc00b578be14fcd59222e80c5e0cf45f473f62de01c56d9408")]
    [InlineData(316, 500, 336, 532, false, "d4b036dd56b7e4c15dd319a858b77fbadcf9b6fda607c58f7061acb130d13267")]
    [InlineData(700, 500, 336, 336, false, "760297828da54e20e37ccd4d1e30e9e99315374e30ec7755089815ce56ba6d8a")]
    [InlineData(210, 330, 211, 329, true, "175c5eae3f0dc17e836db5ae78626733979afc65caee673e2ac32e59050c4441")]
    public void Bicubic_resize_equals_Pillow_bit_for_bit(int sourceWidth, int sourceHeight, int width, int height, bool extreme, string pillowSha256)
    {
        byte[] source = SyntheticImages.LcgBytes(sourceWidth * sourceHeight * 3, (uint)((sourceWidth * 1000) + sourceHeight), extreme);
        byte[] result = new byte[width * height * 3];

        PilResampler.ResizeBicubic(source, sourceWidth, sourceHeight, result, width, height);

        Assert.Equal(pillowSha256, Convert.ToHexStringLower(SHA256.HashData(result)));
    }

    [Fact]
    public void Image_overload_gives_the_same_pixels_and_leaves_the_source_alone()
    {
        using Image<Rgb24> source = SyntheticImages.Lcg(40, 30);
        byte[] before = SyntheticImages.Pixels(source);
        byte[] expected = new byte[13 * 7 * 3];
        PilResampler.ResizeBicubic(before, 40, 30, expected, 13, 7);

        using Image<Rgb24> resized = PilResampler.ResizeBicubic(source, 13, 7);

        Assert.Equal((13, 7), (resized.Width, resized.Height));
        Assert.Equal(expected, SyntheticImages.Pixels(resized));
        Assert.Equal(before, SyntheticImages.Pixels(source));
    }

    [Fact]
    public void A_uniform_image_stays_uniform_at_any_size()
    {
        byte[] source = new byte[37 * 23 * 3];
        for (int i = 0; i < source.Length; i += 3)
        {
            (source[i], source[i + 1], source[i + 2]) = ((byte)200, (byte)3, (byte)77);
        }

        foreach ((int w, int h) in new[] { (1, 1), (5, 90), (336, 336), (36, 22) })
        {
            byte[] result = new byte[w * h * 3];
            PilResampler.ResizeBicubic(source, 37, 23, result, w, h);
            for (int i = 0; i < result.Length; i += 3)
            {
                Assert.Equal((200, 3, 77), (result[i], result[i + 1], result[i + 2]));
            }
        }
    }

    [Fact]
    public void Sizes_and_buffers_are_validated()
    {
        byte[] source = new byte[4 * 4 * 3];
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.ResizeBicubic(source, 4, 4, new byte[3], 0, 1));
        Assert.Throws<ArgumentException>(() => PilResampler.ResizeBicubic(source, 5, 4, new byte[12], 2, 2));
        Assert.Throws<ArgumentException>(() => PilResampler.ResizeBicubic(source, 4, 4, new byte[11], 2, 2));
    }

    /// <summary>
    /// The window resize against the whole resize then sliced: every pass combination (both, horizontal only,
    /// vertical only, neither), up and down, windows at the edges, in the middle and covering everything.
    /// </summary>
    [Theory]
    [InlineData(40, 30, 13, 7)]
    [InlineData(13, 7, 40, 30)]
    [InlineData(64, 48, 64, 17)]
    [InlineData(64, 48, 17, 48)]
    [InlineData(64, 48, 64, 48)]
    [InlineData(1, 9, 336, 3024)]
    [InlineData(9, 1, 3024, 336)]
    [InlineData(500, 375, 448, 336)]
    [InlineData(375, 500, 336, 448)]
    [InlineData(400, 7, 19200, 336)]
    [InlineData(3, 2, 1, 1)]
    public void A_window_of_the_resize_equals_the_same_window_cut_from_the_whole_resize(int sourceWidth, int sourceHeight, int width, int height)
    {
        byte[] source = SyntheticImages.LcgBytes(sourceWidth * sourceHeight * 3, (uint)((sourceWidth * 7919) + sourceHeight), extreme: true);
        byte[] whole = new byte[width * height * 3];
        PilResampler.ResizeBicubic(source, sourceWidth, sourceHeight, whole, width, height);
        (int Left, int Top, int Width, int Height)[] windows =
        [
            (0, 0, width, height),
            (0, 0, Math.Min(width, 5), Math.Min(height, 4)),
            (width - Math.Min(width, 6), height - Math.Min(height, 3), Math.Min(width, 6), Math.Min(height, 3)),
            ((width - Math.Min(width, 336)) / 2, (height - Math.Min(height, 336)) / 2, Math.Min(width, 336), Math.Min(height, 336)),
            (width / 3, height / 2, Math.Max(1, width / 4), 1),
            (width - 1, height / 5, 1, Math.Max(1, height / 3)),
        ];

        foreach ((int left, int top, int w, int h) in windows)
        {
            byte[] window = new byte[w * h * 3];
            PilResampler.ResizeBicubicWindow(source, sourceWidth, sourceHeight, width, height, left, top, window, w, h);

            byte[] expected = new byte[w * h * 3];
            for (int y = 0; y < h; y++)
            {
                whole.AsSpan((((top + y) * width) + left) * 3, w * 3).CopyTo(expected.AsSpan(y * w * 3));
            }

            Assert.True(expected.AsSpan().SequenceEqual(window), $"window {w}x{h} at ({left}, {top}) of {sourceWidth}x{sourceHeight} -> {width}x{height}");
        }
    }

    [Fact]
    public void A_window_reads_only_the_source_rows_its_taps_reach()
    {
        // 1 x 6000 to 336 x 2,016,000: the centre 336 x 336 window's taps reach a handful of source rows.
        long rows = PilResampler.WindowBufferPixels(1, 6000, 336, 2_016_000, (2_016_000 - 336) / 2, 336, 336) / 336;
        Assert.InRange(rows, 1, 6);
        // The whole output reads every source row; a skipped pass keeps no rows at all.
        Assert.Equal(13L * 30, PilResampler.WindowBufferPixels(40, 30, 13, 7, 0, 13, 7));
        Assert.Equal(0, PilResampler.WindowBufferPixels(40, 30, 40, 7, 0, 40, 7));
        Assert.Equal(0, PilResampler.WindowBufferPixels(40, 30, 13, 30, 0, 13, 30));
    }

    [Fact]
    public void A_window_outside_the_resize_or_a_short_destination_is_refused()
    {
        byte[] source = new byte[4 * 4 * 3];
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.ResizeBicubicWindow(source, 4, 4, 8, 8, 5, 0, new byte[4 * 4 * 3], 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.ResizeBicubicWindow(source, 4, 4, 8, 8, 0, 5, new byte[4 * 4 * 3], 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.ResizeBicubicWindow(source, 4, 4, 8, 8, -1, 0, new byte[4 * 4 * 3], 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.ResizeBicubicWindow(source, 4, 4, 8, 8, 0, 0, new byte[3], 0, 1));
        Assert.Throws<ArgumentException>(() => PilResampler.ResizeBicubicWindow(source, 4, 4, 8, 8, 4, 4, new byte[(4 * 4 * 3) - 1], 4, 4));
        Assert.Throws<ArgumentException>(() => PilResampler.ResizeBicubicWindow(source, 5, 4, 8, 8, 0, 0, new byte[4 * 4 * 3], 4, 4));

        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(0, 4, 8, 8, 0, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(4, 0, 8, 8, 0, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(4, 4, 8, 8, -1, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(4, 4, 8, 8, 5, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(4, 4, 8, 8, 0, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResampler.WindowBufferPixels(4, 4, 8, 8, 0, 4, 0));
        Assert.Equal(4L * 4, PilResampler.WindowBufferPixels(4, 4, 8, 8, 4, 4, 4));
    }
}
