namespace Llava.Inference.Images;

/// <summary>Why an image was refused; callers map it to a status (413 for <see cref="TooLarge"/>, 415/400 otherwise).</summary>
public enum ImageRejectionReason
{
    /// <summary>Too many encoded bytes, or a header that claims more pixels, width or height than allowed.</summary>
    TooLarge,

    /// <summary>A format we do not accept (TIFF, TGA, PBM, ...), unrecognised bytes, or a feature the decoder lacks.</summary>
    Unsupported,

    /// <summary>A truncated or damaged file of an accepted format.</summary>
    Corrupt,

    /// <summary>No bytes at all.</summary>
    Empty,
}
