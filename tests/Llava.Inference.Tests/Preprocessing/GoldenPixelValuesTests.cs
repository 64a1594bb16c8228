using Llava.Inference.Images;
using Llava.Inference.Preprocessing;
using Llava.ModelFormat;
using Llava.Testing;
using Llava.Testing.Golden;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Preprocessing;

/// <summary>Our whole image path (loader, PIL-exact resampling, tiling, normalisation) against transformers v4.45.1's own pixel_values.</summary>
public sealed class GoldenPixelValuesTests
{
    private static readonly ImageLoader s_loader = new();

    public static TheoryData<string, string> Cases()
    {
        TheoryData<string, string> data = [];
        foreach ((string family, string image) in GoldenCase.All())
        {
            data.Add(family, image);
        }

        return data;
    }

    /// <summary>The settings as the runtime gets them: from the converted tiny model's manifest.</summary>
    private static VisionPreprocessing Settings(string family) =>
        ModelManifest.FromJson(File.ReadAllText(Path.Combine(TinyModels.Model(family), ModelManifest.FileName))).Vision;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pixel_values_equal_transformers_bit_for_bit(string family, string image)
    {
        GoldenCase golden = GoldenCase.Load(family, image);
        float[] expected = golden.PixelValues();
        using DecodedImage decoded = s_loader.Load(File.ReadAllBytes(RepositoryPaths.Fixture("images", golden.ImageFile)));
        IImagePreprocessor preprocessor = ImagePreprocessor.Create(Settings(family));

        PreprocessedImage result = preprocessor.Preprocess(decoded);

        Assert.Equal((golden.ImageWidth, golden.ImageHeight), (result.OriginalWidth, result.OriginalHeight));
        Assert.Equal(golden.Tiles, result.TileCount);
        Assert.Equal(golden.ImageTokens, result.ImageTokenCount);
        ReadOnlySpan<float> actual = result.PixelValues.Span;
        Assert.Equal(expected.Length, actual.Length);
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} of {expected.Length} values differ from transformers; the first at {first}.");
        double sum = 0;
        foreach (float v in actual)
        {
            sum += v;
        }

        double hfSum = golden.Json.GetProperty("pixel_values").GetProperty("sum").GetDouble();
        Assert.True(Math.Abs(sum - hfSum) <= 1e-6 * Math.Max(1, Math.Abs(hfSum)), $"Sum {sum} vs transformers {hfSum}.");
    }
}
