namespace Llava.Inference.Engine;

/// <summary>
/// The size of one request as far as memory goes, known before any image is decoded (image sizes come from
/// their headers).
/// </summary>
/// <param name="PromptTokens">Prompt tokens with every image token expanded.</param>
/// <param name="MaxNewTokens">Requested answer length.</param>
/// <param name="Tiles">Vision tiles over all images.</param>
/// <param name="ImageTokens">Image tokens over all images.</param>
/// <param name="EncodedBytes">Encoded image bytes over all images.</param>
/// <param name="LargestImagePixels">Decoded pixels of the largest image (images are decoded one at a time).</param>
/// <param name="LargestIntermediatePixels">Largest preprocessing buffer (pad canvas, crop window, a resize's rows between its passes) of any image, in pixels.</param>
public readonly record struct RequestShape(
    int PromptTokens,
    int MaxNewTokens,
    int Tiles,
    int ImageTokens,
    long EncodedBytes,
    long LargestImagePixels,
    long LargestIntermediatePixels);
