namespace Llava.Inference.Images;

/// <summary>A validated PNG IHDR.</summary>
internal readonly record struct PngHeader(int Width, int Height, byte BitDepth, byte ColourType, bool Interlaced)
{
    public int BitsPerPixel => BitDepth * ColourType switch
    {
        0 or 3 => 1,
        2 => 3,
        4 => 2,
        _ => 4,
    };

    /// <summary>Bytes of one row of <paramref name="columns"/> pixels, without the filter byte.</summary>
    public long RowBytes(int columns) => (((long)columns * BitsPerPixel) + 7) / 8;
}
