using Llava.Inference.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Inference.Preprocessing;

/// <summary>Turns one upright RGB image into the vision graph's pixel tiles and feature-row index. Thread-safe.</summary>
public interface IImagePreprocessor
{
    PreprocessedImage Preprocess(Image<Rgb24> image);

    /// <summary>The decoded image's upright pixels.</summary>
    PreprocessedImage Preprocess(DecodedImage image);

    /// <summary>
    /// The cost of an upright <paramref name="width"/> x <paramref name="height"/> image, from its size alone. Throws
    /// <see cref="ImageRejectedException"/> (too large) when an intermediate buffer would exceed
    /// <see cref="ImagePreprocessingOptions.MaxIntermediatePixels"/>, exactly as <c>Preprocess</c> would.
    /// </summary>
    ImageCost Cost(int width, int height);
}
