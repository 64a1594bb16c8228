namespace Llava.Inference.Engine;

/// <summary>A request read and tokenized, its images known by their headers only: what admission decides on.</summary>
internal sealed record RequestPlan(string Text, int[] TextTokens, ImagePlan[] Images, bool AddBos, TimeSpan PlanTime)
{
    public int ImageTokens => Images.Sum(i => i.Cost.ImageTokens);

    /// <summary>Text tokens without the placeholders, plus every image's tokens, plus the BOS token.</summary>
    public int PromptTokens => TextTokens.Length - Images.Length + ImageTokens + (AddBos ? 1 : 0);

    public RequestShape Shape(int maxNewTokens) => new(
        PromptTokens,
        maxNewTokens,
        Images.Sum(i => i.Cost.Tiles),
        ImageTokens,
        Images.Sum(i => (long)i.Encoded.Length),
        Images.Length == 0 ? 0 : Images.Max(i => i.DecodedPixels),
        Images.Length == 0 ? 0 : Images.Max(i => i.Cost.LargestIntermediatePixels));
}
