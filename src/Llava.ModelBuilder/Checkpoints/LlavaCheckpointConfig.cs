using System.Globalization;
using System.Text.Json.Nodes;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// A llava-hf <c>config.json</c>, read the way transformers reads it: llava-hf writes only the keys that
/// differ from the class defaults, so every absent key takes the default of the class transformers
/// would instantiate (LlamaConfig, MistralConfig, CLIPVisionConfig, LlavaConfig, LlavaNextConfig).
/// Anything we do not know how to convert is refused with a message that names it.
/// </summary>
public sealed record LlavaCheckpointConfig
{
    /// <summary>LlavaNextConfig's default pinpoints, as (height, width) pairs.</summary>
    private static readonly int[][] s_defaultGridPinpoints = [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]];

    public required LlavaArchitecture Architecture { get; init; }

    public required TextModelConfig Text { get; init; }

    public required VisionTowerConfig Vision { get; init; }

    public required int ImageTokenIndex { get; init; }

    public required string ProjectorHiddenAct { get; init; }

    /// <summary>Index into CLIP's hidden_states (embeddings output is 0), negative from the end, as in HF.</summary>
    public required int VisionFeatureLayer { get; init; }

    /// <summary><c>default</c> drops the CLS row, <c>full</c> keeps it.</summary>
    public required string VisionFeatureSelectStrategy { get; init; }

    /// <summary>Candidate resolutions as (height, width), HF's reading of <c>image_grid_pinpoints</c>; empty for LLaVA-1.5.</summary>
    public required IReadOnlyList<(int Height, int Width)> ImageGridPinpoints { get; init; }

    /// <summary>How many CLIP encoder layers must run to produce the selected hidden state.</summary>
    public int VisionLayersToRun => VisionFeatureLayer < 0 ? Vision.NumHiddenLayers + 1 + VisionFeatureLayer : VisionFeatureLayer;

    /// <summary>Image-feature rows one 336 px tile yields (576, or 577 with the <c>full</c> strategy).</summary>
    public int FeaturesPerTile => Vision.PatchesPerSide * Vision.PatchesPerSide + (VisionFeatureSelectStrategy == "full" ? 1 : 0);

    public static LlavaCheckpointConfig Load(string configPath)
    {
        if (!File.Exists(configPath))
        {
            throw new CheckpointException($"config.json not found: {configPath}");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(configPath))?.AsObject()
                ?? throw new CheckpointException($"{configPath} is empty.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new CheckpointException($"{configPath} is not valid JSON: {ex.Message}", ex);
        }

        return Parse(root, configPath);
    }

    public static LlavaCheckpointConfig Parse(JsonObject root, string source = "config.json")
    {
        ArgumentNullException.ThrowIfNull(root);
        string modelType = root["model_type"]?.GetValue<string>() ?? "";
        string[] architectures = root["architectures"]?.AsArray().Select(a => a?.GetValue<string>() ?? "").ToArray() ?? [];
        LlavaArchitecture architecture = (modelType, architectures) switch
        {
            ("llava", _) or (_, ["LlavaForConditionalGeneration"]) => LlavaArchitecture.Llava,
            ("llava_next", _) or (_, ["LlavaNextForConditionalGeneration"]) => LlavaArchitecture.LlavaNext,
            _ => throw new CheckpointException(
                $"{source}: unsupported architecture (model_type '{modelType}', architectures [{string.Join(", ", architectures)}]). " +
                "Supported: LlavaForConditionalGeneration (llava) and LlavaNextForConditionalGeneration (llava_next)."),
        };

        JsonObject textNode = root["text_config"]?.AsObject() ?? new JsonObject { ["model_type"] = "llama" };
        JsonObject visionNode = root["vision_config"]?.AsObject() ?? DefaultLlavaVisionConfig();
        TextModelConfig text = ParseText(textNode, root, source);
        VisionTowerConfig vision = ParseVision(visionNode, source);

        string projectorAct = Str(root, "projector_hidden_act", "gelu");
        if (projectorAct != "gelu")
        {
            throw new CheckpointException($"{source}: projector_hidden_act '{projectorAct}' is not supported (only 'gelu', the exact erf GELU of every LLaVA checkpoint).");
        }

        string strategy = Str(root, "vision_feature_select_strategy", "default");
        if (strategy is not ("default" or "full"))
        {
            throw new CheckpointException($"{source}: vision_feature_select_strategy '{strategy}' is not supported (expected 'default' or 'full').");
        }

        int featureLayer = root["vision_feature_layer"] is JsonArray
            ? throw new CheckpointException($"{source}: a list of vision_feature_layer values is not supported; LLaVA-1.5 and v1.6 use one layer.")
            : Int(root, "vision_feature_layer", -2);
        int hiddenStates = vision.NumHiddenLayers + 1;
        if (featureLayer >= hiddenStates || featureLayer < -hiddenStates)
        {
            throw new CheckpointException($"{source}: vision_feature_layer {featureLayer} is outside the {hiddenStates} hidden states of a {vision.NumHiddenLayers}-layer vision tower.");
        }

        List<(int, int)> pinpoints = [];
        if (architecture == LlavaArchitecture.LlavaNext)
        {
            JsonArray? grid = root["image_grid_pinpoints"]?.AsArray();
            IEnumerable<int[]> pairs = grid is null
                ? s_defaultGridPinpoints
                : grid.Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray());
            foreach (int[] pair in pairs)
            {
                if (pair.Length != 2 || pair[0] <= 0 || pair[1] <= 0)
                {
                    throw new CheckpointException($"{source}: image_grid_pinpoints must be a list of [height, width] pairs of positive integers.");
                }

                pinpoints.Add((pair[0], pair[1]));
            }

            if (pinpoints.Count == 0)
            {
                throw new CheckpointException($"{source}: image_grid_pinpoints is empty.");
            }
        }

        return new LlavaCheckpointConfig
        {
            Architecture = architecture,
            Text = text,
            Vision = vision,
            ImageTokenIndex = Int(root, "image_token_index", 32000),
            ProjectorHiddenAct = projectorAct,
            VisionFeatureLayer = featureLayer,
            VisionFeatureSelectStrategy = strategy,
            ImageGridPinpoints = pinpoints,
        };
    }

    private static TextModelConfig ParseText(JsonObject node, JsonObject root, string source)
    {
        string type = Str(node, "model_type", "llama");
        bool mistral = type == "mistral";
        if (type is not ("llama" or "mistral"))
        {
            throw new CheckpointException($"{source}: text_config.model_type '{type}' is not supported (expected 'llama' or 'mistral'; Yi checkpoints use 'llama').");
        }

        if (mistral && node["sliding_window"] is JsonValue window && window.GetValue<int>() is int w && w < Int(node, "max_position_embeddings", 4096 * 32))
        {
            throw new CheckpointException($"{source}: sliding-window attention (sliding_window {w}) is not supported; LLaVA-NeXT's Mistral-7B-Instruct-v0.2 sets it to null.");
        }

        string act = Str(node, "hidden_act", "silu");
        if (act != "silu")
        {
            throw new CheckpointException($"{source}: text_config.hidden_act '{act}' is not supported (expected 'silu').");
        }

        if (node["rope_scaling"] is JsonObject)
        {
            throw new CheckpointException($"{source}: text_config.rope_scaling is not supported; no LLaVA-1.5/1.6 checkpoint uses it.");
        }

        int hidden = Int(node, "hidden_size", 4096);
        int heads = Int(node, "num_attention_heads", 32);
        int kvHeads = node["num_key_value_heads"] is JsonValue ? Int(node, "num_key_value_heads", heads) : (mistral ? 8 : heads);
        if (hidden % heads != 0 || heads % kvHeads != 0)
        {
            throw new CheckpointException($"{source}: text_config has hidden_size {hidden}, {heads} heads and {kvHeads} key/value heads, which do not divide evenly.");
        }

        // LlavaConfig keeps a top-level vocab_size in older files; text_config's wins when both are present.
        int vocab = node["vocab_size"] is JsonValue ? Int(node, "vocab_size", 32000) : Int(root, "vocab_size", 32000);
        return new TextModelConfig
        {
            ModelType = type,
            HiddenSize = hidden,
            IntermediateSize = Int(node, "intermediate_size", mistral ? 14336 : 11008),
            NumHiddenLayers = Int(node, "num_hidden_layers", 32),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = node["head_dim"] is JsonValue ? Int(node, "head_dim", hidden / heads) : hidden / heads,
            RmsNormEps = Dbl(node, "rms_norm_eps", 1e-6),
            RopeTheta = Dbl(node, "rope_theta", 10000.0),
            MaxPositionEmbeddings = Int(node, "max_position_embeddings", mistral ? 4096 * 32 : 2048),
            VocabSize = vocab,
            HiddenAct = act,
            TieWordEmbeddings = node["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            BosTokenId = node["bos_token_id"] is JsonValue ? Int(node, "bos_token_id", 1) : 1,
            EosTokenIds = node["eos_token_id"] switch
            {
                JsonArray ids => [.. ids.Select(i => i!.GetValue<int>())],
                JsonValue id => [id.GetValue<int>()],
                _ => [2],
            },
            PadTokenId = node["pad_token_id"] is JsonValue ? Int(node, "pad_token_id", 0) : null,
        };
    }

    private static VisionTowerConfig ParseVision(JsonObject node, string source)
    {
        string type = Str(node, "model_type", "clip_vision_model");
        if (type != "clip_vision_model")
        {
            throw new CheckpointException($"{source}: vision_config.model_type '{type}' is not supported (expected 'clip_vision_model').");
        }

        string act = Str(node, "hidden_act", "quick_gelu");
        if (act is not ("quick_gelu" or "gelu"))
        {
            throw new CheckpointException($"{source}: vision_config.hidden_act '{act}' is not supported (expected 'quick_gelu').");
        }

        VisionTowerConfig vision = new()
        {
            HiddenSize = Int(node, "hidden_size", 768),
            IntermediateSize = Int(node, "intermediate_size", 3072),
            NumHiddenLayers = Int(node, "num_hidden_layers", 12),
            NumAttentionHeads = Int(node, "num_attention_heads", 12),
            ImageSize = Int(node, "image_size", 224),
            PatchSize = Int(node, "patch_size", 32),
            NumChannels = Int(node, "num_channels", 3),
            LayerNormEps = Dbl(node, "layer_norm_eps", 1e-5),
            HiddenAct = act,
        };
        if (vision.ImageSize % vision.PatchSize != 0 || vision.HiddenSize % vision.NumAttentionHeads != 0)
        {
            throw new CheckpointException($"{source}: vision_config image_size {vision.ImageSize} / patch_size {vision.PatchSize} or hidden_size {vision.HiddenSize} / {vision.NumAttentionHeads} heads do not divide evenly.");
        }

        return vision;
    }

    /// <summary>What LlavaConfig builds when config.json has no vision_config: CLIP ViT-L/14-336.</summary>
    private static JsonObject DefaultLlavaVisionConfig() => new()
    {
        ["model_type"] = "clip_vision_model",
        ["intermediate_size"] = 4096,
        ["hidden_size"] = 1024,
        ["patch_size"] = 14,
        ["image_size"] = 336,
        ["num_hidden_layers"] = 24,
        ["num_attention_heads"] = 16,
    };

    private static string Str(JsonObject node, string key, string fallback) =>
        node[key] is JsonValue v ? v.GetValue<string>() : fallback;

    // TryGetValue<int> first: values built in code (the default vision config) are JsonValue<int>, which
    // GetValue<double> refuses; parsed numbers such as 4096.0 still go through double.
    private static int Int(JsonObject node, string key, int fallback) =>
        node[key] is JsonValue v ? (v.TryGetValue(out int i) ? i : (int)v.GetValue<double>()) : fallback;

    private static double Dbl(JsonObject node, string key, double fallback) =>
        node[key] is JsonValue v ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) : fallback;
}
