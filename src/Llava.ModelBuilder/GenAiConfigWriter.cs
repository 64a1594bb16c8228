using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;

namespace Llava.ModelBuilder;

/// <summary>
/// Writes the <c>genai_config.json</c> ONNX Runtime GenAI 0.18 loads. GenAI has no LLaVA type; its
/// <c>phi3v</c> type runs a generic vision -> embedding -> decoder pipeline whose input and output names are
/// taken from this file, which is exactly what LLaVA needs once preprocessing happens in our runtime.
/// The parser rejects unknown keys, so only keys it knows are written.
/// </summary>
public static class GenAiConfigWriter
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static string Create(LlavaCheckpointConfig config, DecoderAttention attention = DecoderAttention.GroupQuery)
    {
        ArgumentNullException.ThrowIfNull(config);
        bool groupQuery = attention == DecoderAttention.GroupQuery;
        JsonObject decoderInputs = new()
        {
            ["inputs_embeds"] = DecoderGraphBuilder.InputsEmbeds,
            ["attention_mask"] = DecoderGraphBuilder.AttentionMask,
            ["past_key_names"] = DecoderGraphBuilder.PastKeyFormat,
            ["past_value_names"] = DecoderGraphBuilder.PastValueFormat,
        };
        if (!groupQuery)
        {
            // GroupQueryAttention derives positions from the mask; only the plain graph reads position_ids.
            decoderInputs["position_ids"] = DecoderGraphBuilder.PositionIds;
        }

        TextModelConfig text = config.Text;
        JsonArray eos = [.. text.EosTokenIds.Select(id => (JsonNode)id)];
        JsonObject root = new()
        {
            ["model"] = new JsonObject
            {
                ["type"] = "phi3v",
                ["bos_token_id"] = text.BosTokenId ?? 1,
                ["eos_token_id"] = eos,
                // GenAI skips trailing pad tokens when it picks the last logits row: the pad id must never end a prompt.
                ["pad_token_id"] = text.PadTokenId ?? 0,
                ["vocab_size"] = text.VocabSize,
                ["context_length"] = text.MaxPositionEmbeddings,
                ["decoder"] = new JsonObject
                {
                    ["filename"] = ModelFolderLayout.Decoder,
                    ["hidden_size"] = text.HiddenSize,
                    ["head_size"] = text.HeadDim,
                    ["num_attention_heads"] = text.NumAttentionHeads,
                    ["num_key_value_heads"] = text.NumKeyValueHeads,
                    ["num_hidden_layers"] = text.NumHiddenLayers,
                    ["session_options"] = new JsonObject { ["provider_options"] = new JsonArray() },
                    ["inputs"] = decoderInputs,
                    ["outputs"] = new JsonObject
                    {
                        ["logits"] = DecoderGraphBuilder.Logits,
                        ["present_key_names"] = DecoderGraphBuilder.PresentKeyFormat,
                        ["present_value_names"] = DecoderGraphBuilder.PresentValueFormat,
                    },
                },
                ["embedding"] = new JsonObject
                {
                    ["filename"] = ModelFolderLayout.Embedding,
                    ["inputs"] = new JsonObject
                    {
                        ["input_ids"] = EmbeddingGraphBuilder.InputIds,
                        ["image_features"] = EmbeddingGraphBuilder.ImageFeatures,
                    },
                    ["outputs"] = new JsonObject { ["inputs_embeds"] = EmbeddingGraphBuilder.InputsEmbeds },
                },
                ["vision"] = new JsonObject
                {
                    ["filename"] = ModelFolderLayout.Vision,
                    ["inputs"] = new JsonObject { ["pixel_values"] = VisionGraphBuilder.PixelValues },
                    ["outputs"] = new JsonObject { ["image_features"] = VisionGraphBuilder.ImageFeatures },
                },
            },
            ["search"] = new JsonObject
            {
                ["do_sample"] = false,
                ["max_length"] = text.MaxPositionEmbeddings,
                ["num_beams"] = 1,
                ["temperature"] = 1.0,
                ["top_k"] = 1,
                ["top_p"] = 1.0,
                ["repetition_penalty"] = 1.0,
                // GroupQueryAttention writes into one [batch, kv_heads, max_length, head] buffer per layer that
                // GenAI binds as both past and present; the plain graph concatenates, which needs separate buffers.
                ["past_present_share_buffer"] = groupQuery,
            },
        };
        return root.ToJsonString(s_indented);
    }
}
