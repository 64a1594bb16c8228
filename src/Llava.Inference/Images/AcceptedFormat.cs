namespace Llava.Inference.Images;

/// <summary>The containers <see cref="ImageLoader"/> decodes; <see cref="None"/> for everything else.</summary>
internal enum AcceptedFormat
{
    None,
    Jpeg,
    Png,
    WebP,
    Bmp,
    Gif,
}
