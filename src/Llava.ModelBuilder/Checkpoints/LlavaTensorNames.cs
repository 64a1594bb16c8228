using System.Globalization;
using System.Text;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// The checkpoint names of every weight the converter uses, for either tensor layout (detected from what the
/// checkpoint contains). Full tensor names unless noted: layer members are <c>TextLayer(i) + "self_attn.q_proj.weight"</c>,
/// and the layer norms and projector linears are prefixes to which <c>.weight</c> / <c>.bias</c> are appended.
/// </summary>
public sealed class LlavaTensorNames
{
    private readonly string _text;
    private readonly string _vision;
    private readonly string _projector;

    private LlavaTensorNames(LlavaTensorLayout layout, bool lmHeadTied)
    {
        Layout = layout;
        bool hf = layout == LlavaTensorLayout.LlavaHf;
        _text = hf ? "language_model.model." : "model.language_model.";
        _vision = hf ? "vision_tower.vision_model." : "model.vision_tower.vision_model.";
        _projector = hf ? "multi_modal_projector." : "model.multi_modal_projector.";
        StoredLmHead = hf ? "language_model.lm_head.weight" : "lm_head.weight";
        ImageNewline = hf ? "image_newline" : "model.image_newline";
        LmHeadTied = lmHeadTied;
    }

    public LlavaTensorLayout Layout { get; }

    /// <summary>True when the checkpoint has no lm_head and the config ties it to the token embeddings.</summary>
    public bool LmHeadTied { get; }

    public string EmbedTokens => _text + "embed_tokens.weight";

    public string FinalNorm => _text + "norm.weight";

    /// <summary>The output projection to use: the stored lm_head, or the embedding table when tied.</summary>
    public string LmHead => LmHeadTied ? EmbedTokens : StoredLmHead;

    /// <summary>Where this layout stores lm_head (whether or not the checkpoint has it).</summary>
    public string StoredLmHead { get; }

    public string VisionClassEmbedding => _vision + "embeddings.class_embedding";

    public string VisionPatchEmbedding => _vision + "embeddings.patch_embedding.weight";

    public string VisionPositionEmbedding => _vision + "embeddings.position_embedding.weight";

    /// <summary>Prefix of CLIP's pre-encoder LayerNorm (HF spells it <c>pre_layrnorm</c>).</summary>
    public string VisionPreLayerNorm => _vision + "pre_layrnorm";

    /// <summary>Prefix of the first projector linear (vision hidden -> text hidden).</summary>
    public string ProjectorLinear1 => _projector + "linear_1";

    /// <summary>Prefix of the second projector linear (text hidden -> text hidden).</summary>
    public string ProjectorLinear2 => _projector + "linear_2";

    /// <summary>LLaVA-NeXT's learned row appended after every row of image features.</summary>
    public string ImageNewline { get; }

    public static LlavaTensorNames ForLayout(LlavaTensorLayout layout, bool lmHeadTied = false) => new(layout, lmHeadTied);

    /// <summary>
    /// Detects the layout from marker tensors and resolves lm_head (tied to embed_tokens only when the checkpoint
    /// has none and the config says tie_word_embeddings). Does not check completeness: see <see cref="Validate"/>.
    /// </summary>
    public static LlavaTensorNames Resolve(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        LlavaTensorNames hf = new(LlavaTensorLayout.LlavaHf, false);
        LlavaTensorNames current = new(LlavaTensorLayout.Transformers, false);
        int hfHits = hf.Markers().Count(source.Contains);
        int currentHits = current.Markers().Count(source.Contains);
        if (hfHits == 0 && currentHits == 0)
        {
            throw new CheckpointException(
                $"Cannot tell the checkpoint's tensor layout: none of [{string.Join(", ", hf.Markers())}] (llava-hf) " +
                $"or [{string.Join(", ", current.Markers())}] (transformers 4.52+) is present. Is this a LLaVA checkpoint?");
        }

        LlavaTensorLayout layout = hfHits >= currentHits ? LlavaTensorLayout.LlavaHf : LlavaTensorLayout.Transformers;
        LlavaTensorNames names = layout == LlavaTensorLayout.LlavaHf ? hf : current;
        bool tied = config.Text.TieWordEmbeddings && !source.Contains(names.StoredLmHead);
        return new LlavaTensorNames(layout, tied);
    }

    /// <summary>Prefix of text decoder layer <paramref name="index"/>, ending in a dot.</summary>
    public string TextLayer(int index) => string.Create(CultureInfo.InvariantCulture, $"{_text}layers.{index}.");

    /// <summary>Prefix of CLIP encoder layer <paramref name="index"/>, ending in a dot.</summary>
    public string VisionLayer(int index) => string.Create(CultureInfo.InvariantCulture, $"{_vision}encoder.layers.{index}.");

    /// <summary>
    /// Every tensor the conversion reads, with the shape the config implies: the text model, the CLIP layers up to
    /// the feature layer (the rest and post_layernorm are never used), the projector and, for NeXT, image_newline.
    /// </summary>
    public IReadOnlyList<(string Name, long[] Shape)> RequiredTensors(LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TextModelConfig t = config.Text;
        VisionTowerConfig v = config.Vision;
        long h = t.HiddenSize;
        long qDim = (long)t.NumAttentionHeads * t.HeadDim;
        long kvDim = (long)t.NumKeyValueHeads * t.HeadDim;
        long vh = v.HiddenSize;
        List<(string, long[])> required =
        [
            (EmbedTokens, [t.VocabSize, h]),
        ];
        for (int i = 0; i < t.NumHiddenLayers; i++)
        {
            string p = TextLayer(i);
            required.Add((p + "self_attn.q_proj.weight", [qDim, h]));
            required.Add((p + "self_attn.k_proj.weight", [kvDim, h]));
            required.Add((p + "self_attn.v_proj.weight", [kvDim, h]));
            required.Add((p + "self_attn.o_proj.weight", [h, qDim]));
            required.Add((p + "mlp.gate_proj.weight", [t.IntermediateSize, h]));
            required.Add((p + "mlp.up_proj.weight", [t.IntermediateSize, h]));
            required.Add((p + "mlp.down_proj.weight", [h, t.IntermediateSize]));
            required.Add((p + "input_layernorm.weight", [h]));
            required.Add((p + "post_attention_layernorm.weight", [h]));
        }

        required.Add((FinalNorm, [h]));
        if (!LmHeadTied)
        {
            required.Add((StoredLmHead, [t.VocabSize, h]));
        }

        required.Add((VisionClassEmbedding, [vh]));
        required.Add((VisionPatchEmbedding, [vh, v.NumChannels, v.PatchSize, v.PatchSize]));
        required.Add((VisionPositionEmbedding, [v.NumPositions, vh]));
        required.Add((VisionPreLayerNorm + ".weight", [vh]));
        required.Add((VisionPreLayerNorm + ".bias", [vh]));
        for (int i = 0; i < config.VisionLayersToRun; i++)
        {
            string p = VisionLayer(i);
            foreach (string proj in (string[])["q_proj", "k_proj", "v_proj", "out_proj"])
            {
                required.Add((p + $"self_attn.{proj}.weight", [vh, vh]));
                required.Add((p + $"self_attn.{proj}.bias", [vh]));
            }

            required.Add((p + "layer_norm1.weight", [vh]));
            required.Add((p + "layer_norm1.bias", [vh]));
            required.Add((p + "mlp.fc1.weight", [v.IntermediateSize, vh]));
            required.Add((p + "mlp.fc1.bias", [v.IntermediateSize]));
            required.Add((p + "mlp.fc2.weight", [vh, v.IntermediateSize]));
            required.Add((p + "mlp.fc2.bias", [vh]));
            required.Add((p + "layer_norm2.weight", [vh]));
            required.Add((p + "layer_norm2.bias", [vh]));
        }

        required.Add((ProjectorLinear1 + ".weight", [h, vh]));
        required.Add((ProjectorLinear1 + ".bias", [h]));
        required.Add((ProjectorLinear2 + ".weight", [h, h]));
        required.Add((ProjectorLinear2 + ".bias", [h]));
        if (config.Architecture == LlavaArchitecture.LlavaNext)
        {
            required.Add((ImageNewline, [h]));
        }

        return required;
    }

    /// <summary>
    /// Checks that every tensor in <see cref="RequiredTensors"/> is present with the expected shape. Throws one
    /// <see cref="CheckpointException"/> that lists everything missing or mis-shaped (expected vs actual).
    /// </summary>
    public void Validate(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        List<string> missing = [];
        List<string> misShaped = [];
        foreach ((string name, long[] expected) in RequiredTensors(config))
        {
            if (!source.Contains(name))
            {
                missing.Add(name);
                continue;
            }

            long[] actual = source.GetShape(name);
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                misShaped.Add($"{name}: expected [{string.Join(", ", expected)}], found [{string.Join(", ", actual)}]");
            }
        }

        if (missing.Count == 0 && misShaped.Count == 0)
        {
            return;
        }

        StringBuilder message = new($"The checkpoint ({Layout} layout) does not match its config.json:");
        if (missing.Count > 0)
        {
            message.Append(CultureInfo.InvariantCulture, $" {missing.Count} tensor(s) missing: {string.Join(", ", missing.Take(20))}");
            message.Append(missing.Count > 20 ? $", ... ({missing.Count - 20} more)." : ".");
        }

        if (misShaped.Count > 0)
        {
            message.Append(CultureInfo.InvariantCulture, $" {misShaped.Count} tensor(s) with the wrong shape: {string.Join("; ", misShaped.Take(20))}");
            message.Append(misShaped.Count > 20 ? $"; ... ({misShaped.Count - 20} more)." : ".");
        }

        throw new CheckpointException(message.ToString());
    }

    private string[] Markers() => [EmbedTokens, StoredLmHead, ProjectorLinear1 + ".weight", VisionPatchEmbedding, ImageNewline];
}
