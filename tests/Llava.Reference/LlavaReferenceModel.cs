using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>
/// LLaVA-1.5 / LLaVA-NeXT end to end, as transformers v4.45.1's processor-expanded path runs it: image
/// tiles -> CLIP -> projector (-> anyres packing) -> image-token rows of the prompt replaced in order ->
/// language model. An independent yardstick for the ONNX export, never used in production.
/// </summary>
public sealed class LlavaReferenceModel
{
    private readonly float[]? _imageNewline;

    private LlavaReferenceModel(ITensorSource source, LlavaCheckpointConfig config)
    {
        Config = config;
        Vision = ClipVisionReference.Load(source, config);
        Projector = ProjectorReference.Load(source, config);
        LanguageModel = LanguageModelReference.Load(source, config);
        if (config.Architecture == LlavaArchitecture.LlavaNext)
        {
            _imageNewline = ReferenceMath.Read(source, "image_newline", config.Text.HiddenSize);
        }
    }

    public LlavaCheckpointConfig Config { get; }

    public ClipVisionReference Vision { get; }

    public ProjectorReference Projector { get; }

    public LanguageModelReference LanguageModel { get; }

    public static LlavaReferenceModel Load(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        return new LlavaReferenceModel(source, config);
    }

    /// <summary>The anyres geometry of an image of this (height, width) under this checkpoint's pinpoints.</summary>
    public AnyResLayout Layout(int imageHeight, int imageWidth, UnpadRounding rounding = UnpadRounding.TruncateV4451)
    {
        if (Config.Architecture != LlavaArchitecture.LlavaNext)
        {
            throw new InvalidOperationException("Only LLaVA-NeXT checkpoints tile images.");
        }

        return AnyResPackingReference.Layout(
            imageHeight, imageWidth, Config.ImageGridPinpoints, Config.Vision.ImageSize, Config.Vision.PatchesPerSide, rounding);
    }

    /// <summary>
    /// The rows that replace the image tokens, [rows, text_hidden]. LLaVA-1.5: pixel values of one or more
    /// 336 px images, concatenated. LLaVA-NeXT: one image's tiles (base first) and its original
    /// (height, width), packed with unpad and newlines.
    /// </summary>
    public float[] ImageFeatures(float[] pixelValues, int tiles, (int Height, int Width)? imageSizeHw = null, UnpadRounding rounding = UnpadRounding.TruncateV4451)
    {
        float[] selected = Vision.Forward(pixelValues, tiles);
        float[] projected = Projector.Forward(selected, tiles * Vision.RowsPerTile);
        if (Config.Architecture == LlavaArchitecture.Llava)
        {
            return projected;
        }

        if (imageSizeHw is not (int height, int width))
        {
            throw new ArgumentNullException(nameof(imageSizeHw), "LLaVA-NeXT needs the image's original (height, width) to pack its tiles.");
        }

        if (Config.VisionFeatureSelectStrategy != "default")
        {
            // HF's view(rows, cols, 24, 24, -1) cannot take the CLS row either.
            throw new NotSupportedException("LLaVA-NeXT packing needs the 'default' feature strategy.");
        }

        AnyResLayout layout = Layout(height, width, rounding);
        if (tiles != layout.Tiles)
        {
            throw new ArgumentException($"A {height}x{width} (h x w) image tiles into {layout.GridRows}x{layout.GridCols} + base = {layout.Tiles} tiles, but {tiles} were given.", nameof(tiles));
        }

        return AnyResPackingReference.Pack(projected, Config.Text.HiddenSize, layout, _imageNewline);
    }

    /// <summary>
    /// <c>inputs_embeds</c> for an expanded prompt: token embeddings with the image-token rows replaced,
    /// in order, by the image features (<c>inputs_embeds[special_image_mask] = image_features</c>).
    /// </summary>
    public float[] MergeEmbeddings(IReadOnlyList<int> inputIds, float[]? imageFeatures)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        int hidden = Config.Text.HiddenSize;
        float[] embeds = LanguageModel.Embed(inputIds);
        int imageTokens = inputIds.Count(id => id == Config.ImageTokenIndex);
        int featureRows = imageFeatures is null ? 0 : imageFeatures.Length / hidden;
        if (imageTokens != featureRows || (imageFeatures is not null && imageFeatures.Length % hidden != 0))
        {
            throw new ArgumentException($"Image features and image tokens do not match: tokens {imageTokens}, features {featureRows}.", nameof(imageFeatures));
        }

        int next = 0;
        for (int i = 0; i < inputIds.Count; i++)
        {
            if (inputIds[i] == Config.ImageTokenIndex)
            {
                imageFeatures.AsSpan(next * hidden, hidden).CopyTo(embeds.AsSpan(i * hidden));
                next++;
            }
        }

        return embeds;
    }

    /// <summary>The prompt's logits for the chosen rows (all rows when null): [rows, vocab].</summary>
    public float[] Logits(IReadOnlyList<int> inputIds, float[]? imageFeatures, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        return LanguageModel.Prefill(MergeEmbeddings(inputIds, imageFeatures), inputIds.Count, rows);
    }

    /// <summary>Greedy generation after an expanded prompt: new ids and the logits of every step.</summary>
    public GreedyGeneration Generate(IReadOnlyList<int> inputIds, float[]? imageFeatures, int maxNewTokens, IReadOnlyCollection<int>? stopTokenIds = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        return LanguageModel.GenerateGreedy(MergeEmbeddings(inputIds, imageFeatures), inputIds.Count, maxNewTokens, stopTokenIds);
    }
}
