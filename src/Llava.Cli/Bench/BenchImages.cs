using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Llava.Cli.Bench;

/// <summary>Benchmark inputs made from the shipped samples: a 336 x 336 photo (one CLIP tile) and the same kind of photo at 1024 x 768 (anyres).</summary>
internal static class BenchImages
{
    public static byte[] Square336(CliContext context) => File.ReadAllBytes(Path.Combine(context.SamplesDirectory, "cat.jpg"));

    /// <summary>The coffee sample resized to <paramref name="width"/> x <paramref name="height"/>, JPEG quality 90.</summary>
    public static byte[] Resized(CliContext context, int width, int height)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(Path.Combine(context.SamplesDirectory, "coffee.jpg"));
        image.Mutate(x => x.Resize(width, height, KnownResamplers.Bicubic));
        using MemoryStream encoded = new();
        image.SaveAsJpeg(encoded, new JpegEncoder { Quality = 90 });
        return encoded.ToArray();
    }
}
