namespace Llava.Inference.Preprocessing;

/// <summary>
/// What preprocessing one image of a given upright size will cost, known from its header before a pixel is
/// decoded: the tiles fed to the vision tower, the image tokens in the prompt, and the largest intermediate
/// uint8 RGB buffer (pad canvas, crop window, or the rows a resize keeps between its passes) in pixels.
/// </summary>
/// <param name="Tiles">Tiles of <c>3 x S x S</c> pixel values.</param>
/// <param name="ImageTokens">Image tokens the image takes in the prompt.</param>
/// <param name="LargestIntermediatePixels">Pixels of the largest buffer preprocessing allocates besides the decoded image.</param>
public readonly record struct ImageCost(int Tiles, int ImageTokens, long LargestIntermediatePixels);
