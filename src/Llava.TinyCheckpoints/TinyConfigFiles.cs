using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelFormat;

namespace Llava.TinyCheckpoints;

/// <summary>
/// The non-weight files of a llava-hf repository, in its layout: config.json in the diff style of the published
/// files (only keys that differ from the class defaults, keys sorted), generation_config.json as
/// <c>GenerationConfig.from_model_config</c> wrote it, and the processor files with llava-hf's real values.
/// </summary>
internal static class TinyConfigFiles
{
    private static readonly int[][] s_pinpoints = [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]];
    private static readonly double[] s_clipMean = [0.48145466, 0.4578275, 0.40821073];
    private static readonly double[] s_clipStd = [0.26862954, 0.26130258, 0.27577711];

    public static JsonObject Config(TinyFamily family, TinyModelSize size, SafetensorsDType dtype)
    {
        bool next = family.Architecture == LlavaArchitecture.LlavaNext;
        JsonObject text = new()
        {
            ["_name_or_path"] = family.TextNameOrPath,
            ["architectures"] = new JsonArray(family.TextModelType == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"),
        };
        if (family.YiTokenizer)
        {
            text["eos_token_id"] = family.EosTokenId;
        }

        text["hidden_size"] = size.TextHiddenSize;
        text["intermediate_size"] = size.TextIntermediateSize;
        if (family.Name == ModelVariant.NextVicuna)
        {
            text["max_length"] = 4096;
        }

        text["max_position_embeddings"] = family.MaxPositionEmbeddings;
        text["model_type"] = family.TextModelType;
        text["num_attention_heads"] = size.TextHeads;
        text["num_hidden_layers"] = size.TextLayers;
        text["num_key_value_heads"] = family.GroupedQueryAttention ? size.TextGroupedKeyValueHeads : size.TextHeads;
        if (family.Name == ModelVariant.NextVicuna)
        {
            text["pad_token_id"] = family.PadTokenId;
        }

        text["rms_norm_eps"] = TinyJson.Float(1e-5);
        if (family.RopeTheta is double theta)
        {
            text["rope_theta"] = TinyJson.Float(theta);
        }

        if (family.TextModelType == "mistral")
        {
            text["sliding_window"] = null;
        }

        text["torch_dtype"] = family.TextTorchDType;
        text["vocab_size"] = family.VocabSize;

        JsonObject vision = new()
        {
            ["hidden_size"] = size.VisionHiddenSize,
            ["image_size"] = 336,
            ["intermediate_size"] = size.VisionIntermediateSize,
            ["model_type"] = "clip_vision_model",
            ["num_attention_heads"] = size.VisionHeads,
            ["num_hidden_layers"] = size.VisionLayers,
            ["patch_size"] = 14,
            ["projection_dim"] = 768,
            ["vocab_size"] = 32000,
        };

        JsonObject config = new()
        {
            ["architectures"] = new JsonArray(next ? "LlavaNextForConditionalGeneration" : "LlavaForConditionalGeneration"),
            ["ignore_index"] = -100,
        };
        if (next)
        {
            config["image_grid_pinpoints"] = Pinpoints();
        }

        config["image_token_index"] = family.ImageTokenId;
        config["model_type"] = next ? "llava_next" : "llava";
        if (!next)
        {
            config["pad_token_id"] = family.PadTokenId;
        }

        config["projector_hidden_act"] = "gelu";
        config["text_config"] = text;
        if (!next)
        {
            config["tie_word_embeddings"] = false;
        }

        config["torch_dtype"] = TorchDTypeName(dtype);
        config["transformers_version"] = family.TransformersVersion;
        if (next)
        {
            config["use_image_newline_parameter"] = true;
        }

        config["vision_config"] = vision;
        config["vision_feature_layer"] = -2;
        config["vision_feature_select_strategy"] = "default";
        config["vocab_size"] = family.VocabSize;
        return config;
    }

    public static JsonObject GenerationConfig(TinyFamily family)
    {
        JsonObject generation = new()
        {
            ["_from_model_config"] = true,
            ["bos_token_id"] = family.BosTokenId,
            ["eos_token_id"] = family.EosTokenId,
        };
        if (family.Name == ModelVariant.NextVicuna)
        {
            generation["max_length"] = 4096;
        }

        if (family.Name == ModelVariant.Llava15 || family.Name == ModelVariant.NextVicuna)
        {
            generation["pad_token_id"] = family.PadTokenId;
        }

        generation["transformers_version"] = family.TransformersVersion;
        return generation;
    }

    public static JsonObject PreprocessorConfig(TinyFamily family)
    {
        bool next = family.Architecture == LlavaArchitecture.LlavaNext;
        JsonObject config = [];
        if (next)
        {
            config["aspect_ratio_setting"] = "anyres";
        }

        config["crop_size"] = new JsonObject { ["height"] = 336, ["width"] = 336 };
        config["do_center_crop"] = true;
        config["do_convert_rgb"] = true;
        config["do_normalize"] = true;
        if (next)
        {
            config["do_pad"] = true;
        }

        config["do_rescale"] = true;
        config["do_resize"] = true;
        if (next)
        {
            config["image_grid_pinpoints"] = Pinpoints();
        }

        config["image_mean"] = new JsonArray([.. s_clipMean.Select(TinyJson.Float)]);
        config["image_processor_type"] = next ? "LlavaNextImageProcessor" : "CLIPImageProcessor";
        config["image_std"] = new JsonArray([.. s_clipStd.Select(TinyJson.Float)]);
        config["processor_class"] = ProcessorClass(family);
        config["resample"] = 3;
        config["rescale_factor"] = TinyJson.Float(1.0 / 255.0);
        config["size"] = new JsonObject { ["shortest_edge"] = 336 };
        return config;
    }

    public static JsonObject ProcessorConfig(TinyFamily family) => new()
    {
        ["image_token"] = "<image>",
        ["num_additional_image_tokens"] = 1,
        ["patch_size"] = 14,
        ["processor_class"] = ProcessorClass(family),
        ["vision_feature_select_strategy"] = "default",
    };

    public static JsonObject ChatTemplate(TinyFamily family) => new() { ["chat_template"] = family.ChatTemplate };

    public static string ProcessorClass(TinyFamily family) =>
        family.Architecture == LlavaArchitecture.LlavaNext ? "LlavaNextProcessor" : "LlavaProcessor";

    private static JsonArray Pinpoints() => new([.. s_pinpoints.Select(p => (JsonNode)new JsonArray(p[0], p[1]))]);

    /// <summary>The name transformers writes as <c>torch_dtype</c> in config.json.</summary>
    private static string TorchDTypeName(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "float32",
        SafetensorsDType.F16 => "float16",
        SafetensorsDType.BF16 => "bfloat16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };
}
