namespace Llava.Serving.Hosting;

/// <summary>Where the served model is in its life.</summary>
public enum ModelState
{
    /// <summary>Downloading, verifying or loading; requests wait up to a bound.</summary>
    Loading,

    /// <summary>Loaded and serving.</summary>
    Ready,

    /// <summary>Loading failed; the reason is reported by the health endpoint and every request.</summary>
    Failed,
}
