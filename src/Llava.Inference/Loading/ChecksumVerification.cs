namespace Llava.Inference.Loading;

/// <summary>How thoroughly a model folder is checked against its manifest on load.</summary>
public enum ChecksumVerification
{
    /// <summary>Size and SHA-256 of every file (reads every byte once: about 10 s per 10 GB on a fast disk).</summary>
    Full,

    /// <summary>Presence and size only, for folders already verified (e.g. right after a checked download).</summary>
    SizeOnly,
}
