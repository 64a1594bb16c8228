using Llava.ModelFormat;

namespace Llava.Inference.Preprocessing;

/// <summary>Picks LLaVA-NeXT's anyres tiling or LLaVA-1.5's single CLIP tile from the model folder's settings.</summary>
public static class ImagePreprocessor
{
    public static IImagePreprocessor Create(VisionPreprocessing settings, ImagePreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        options ??= new ImagePreprocessingOptions();
        return settings.GridPinpoints.Count > 0
            ? new AnyResPreprocessor(settings, options)
            : new ClipPreprocessor(settings, options);
    }
}
