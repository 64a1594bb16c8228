using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace LlavaFunctions.Tests;

/// <summary>Images made to break decoders, built from real encoder output so each is the damage named and nothing else.</summary>
public static class CraftedImages
{
    /// <summary>Start of image straight followed by end of image: a JPEG with nothing in it.</summary>
    public static byte[] JpegStartAndEndOnly => [0xFF, 0xD8, 0xFF, 0xD9];

    /// <summary>A real JPEG's headers (quantisation and Huffman tables, frame header) with its scan cut out.</summary>
    public static byte[] JpegWithoutScan()
    {
        byte[] jpeg = Jpeg(16, 16);
        int scan = IndexOfMarker(jpeg, 0xDA);
        return [.. jpeg.AsSpan(0, scan), 0xFF, 0xD9];
    }

    public static byte[] Jpeg(int width, int height)
    {
        using Image<Rgb24> image = new(width, height, new Rgb24(200, 120, 40));
        using MemoryStream buffer = new();
        image.SaveAsJpeg(buffer);
        return buffer.ToArray();
    }

    private static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The encoder wrote no FF {marker:X2} marker.");
    }
}
