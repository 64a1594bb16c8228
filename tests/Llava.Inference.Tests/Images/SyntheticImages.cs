using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Tests.Images;

/// <summary>Deterministic test images; the LCG matches the Python that computed the PIL and transformers hashes.</summary>
internal static class SyntheticImages
{
    /// <summary><c>s = s * 1103515245 + 12345 (mod 2^32)</c>, byte = <c>(s &gt;&gt; 16) &amp; 0xFF</c>; extreme maps to 0/255.</summary>
    public static byte[] LcgBytes(int count, uint seed, bool extreme = false)
    {
        byte[] bytes = new byte[count];
        uint s = seed;
        for (int i = 0; i < count; i++)
        {
            s = unchecked((s * 1103515245) + 12345);
            byte b = (byte)((s >> 16) & 0xFF);
            bytes[i] = extreme ? (byte)(b >= 128 ? 255 : 0) : b;
        }

        return bytes;
    }

    /// <summary>Row-major RGB noise seeded with <c>width * 1000 + height</c>, as the Python generator.</summary>
    public static Image<Rgb24> Lcg(int width, int height, bool extreme = false) =>
        Image.LoadPixelData<Rgb24>(LcgBytes(width * height * 3, (uint)((width * 1000) + height), extreme), width, height);

    public static Image<Rgb24> Uniform(int width, int height, Rgb24 colour) => new(width, height, colour);

    /// <summary>An image whose pixel (x, y) is produced by <paramref name="colour"/>.</summary>
    public static Image<Rgb24> Pattern(int width, int height, Func<int, int, Rgb24> colour)
    {
        Image<Rgb24> image = new(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    row[x] = colour(x, y);
                }
            }
        });
        return image;
    }

    public static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using MemoryStream stream = new();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    public static byte[] Pixels(Image<Rgb24> image)
    {
        byte[] bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }
}
