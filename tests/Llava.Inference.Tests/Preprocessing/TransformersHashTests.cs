using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Llava.Inference.Preprocessing;
using Llava.Inference.Tests.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Preprocessing;

public sealed class TransformersHashTests
{
    /// <summary>
    /// SHA-256 of transformers v4.45.1's float32 <c>pixel_values[0]</c> (CLIPImageProcessor, LlavaNextImageProcessor with
    /// llava-hf's settings) and of its <c>astype(float16)</c>, for LCG noise images. 300x301, 500x200, 337x500, 860x147
    /// and 125x1162 leave an odd padding, where v4.45.1's canvas is one pixel short and the last tiles are stretched.
    /// </summary>
    [Theory]
    [InlineData(64, 48, 3, "5dbaf1a7e1d4b793a970f051c58acc44650d1cba107c9904e2efb863df75a651", "9c8cd98761a8fe50dfa2accc2035404fcc659ce728e5dee3ccd49b5452caea23", "a303c326e6db0dc340cf1c5c8f39f3134b2d021df5164218741338fe21679875")]
    [InlineData(300, 301, 3, "0801b68bdae9853f422c306ec0fd6edfb9a7291e749109e05de47b6308f93c6e", "5f3553cf424c57716815b8382f4cd35c7494c30cddf41eca106618d971dba00d", "6b711aa0e4ef48436a6996ab918bcdf531013dfe942532021293185c964e3d2e")]
    [InlineData(500, 200, 3, "9951ee2dd80d34f32419633fcbb2424c2b6950ef25f4204807c066034f92c4e6", "a0d0fe0770d816ad7775f84d0c727656a83e8b661ce106c49f211930794d3986", "6dfe20e5d7144944e21ae6eb521c3831dc7ffd1dd09cf32e10ab1fbad35148cd")]
    [InlineData(337, 500, 5, "76499e8962445a750e34d6248cf2710c6370ae6afbad5898e782c59e6601634a", "93e134e4b8e8fe6564a1a05d2924b297362891d6a410c651c1a6ea844b3379f0", "c5ed45dc0195d60a673e2ae302072ec99373f5ae1f4330192cad4e639025d496")]
    [InlineData(860, 147, 4, "14e89e452412e3ff914e1eaca9bb062cec746cd38780c3d492107328e5dc1964", "59a706c3c5ae75998d5a64c170a412d37a3148da0971455a98d53ac426bdada6", "af84fab734b68cd7f5107c6264592a183f648dec8953a92ca72652c0c5b3a5bc")]
    [InlineData(125, 1162, 4, "6781404a67a31042c7fb6dcde4c9a37f727b825fa8534b60e9619b25e20bf75a", "f2aa616d863ff476eae2408ddf0346de0d3d6e0b45d88386f92a81562f2f3fdb", "7866647e51a1c6f49bac455e4f2c71ec1fdf548c53cc0d98bc37b52b77990641")]
    [InlineData(1024, 768, 5, "72ca6f716aca01c9a1611892c554fbf5633debfe811e88789640e3aab1094ac4", "8fd75be0cdb708bbaf4fb73790050690ec3893839a3fb92cb4b31eba8f9f82a1", "77da9f62523edfefbb909ff4b347a885c04a8b6a5624671140e0615198501245")]
    public void Pixel_values_hash_to_what_transformers_computed(int width, int height, int tiles, string clipSha256, string nextSha256, string nextHalfSha256)
    {
        using Image<Rgb24> image = SyntheticImages.Lcg(width, height);

        PreprocessedImage clip = new ClipPreprocessor(TestSettings.Clip).Preprocess(image);
        PreprocessedImage next = new AnyResPreprocessor(TestSettings.Next).Preprocess(image);
        PreprocessedImage half = new AnyResPreprocessor(TestSettings.Next, new ImagePreprocessingOptions { Precision = PixelPrecision.Fp16 }).Preprocess(image);

        Assert.Equal(clipSha256, Sha256(clip.PixelValues.Span));
        Assert.Equal(tiles, next.TileCount);
        Assert.Equal(nextSha256, Sha256(next.PixelValues.Span));
        Assert.Equal(nextHalfSha256, Sha256(half.PixelValuesHalf.Span));
    }

    private static string Sha256<T>(ReadOnlySpan<T> values)
        where T : struct => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values)));
}
