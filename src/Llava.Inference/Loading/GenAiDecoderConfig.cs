using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Errors;
using Llava.ModelFormat;

namespace Llava.Inference.Loading;

/// <summary>
/// What the engine itself needs from a folder's <c>genai_config.json</c> (GenAI reads the rest): the decoder's shape,
/// for the memory estimate, and the padding id, for batched prompts. Read once when the folder opens.
/// </summary>
public sealed record GenAiDecoderConfig
{
    public required int Layers { get; init; }

    public required int AttentionHeads { get; init; }

    public required int KeyValueHeads { get; init; }

    public required int HeadSize { get; init; }

    /// <summary>
    /// The id GenAI reads as padding (<c>model.pad_token_id</c>): batched prompts are right-padded with it, and GenAI
    /// masks it out of attention and positions.
    /// </summary>
    public required int PadTokenId { get; init; }

    /// <summary>Reads the folder's genai_config.json; a missing or malformed entry is a <see cref="ModelLoadException"/>.</summary>
    public static GenAiDecoderConfig Read(string folder)
    {
        string path = Path.Combine(folder, ModelFolderLayout.GenAiConfig);
        try
        {
            JsonNode model = JsonNode.Parse(File.ReadAllText(path))?["model"] ?? throw Invalid(path, "no model section");
            JsonNode decoder = model["decoder"] ?? throw Invalid(path, "no model.decoder section");
            int heads = Required(decoder, "num_attention_heads", path);
            return new GenAiDecoderConfig
            {
                Layers = Required(decoder, "num_hidden_layers", path),
                AttentionHeads = heads,
                KeyValueHeads = decoder["num_key_value_heads"]?.GetValue<int>() ?? heads,
                HeadSize = Required(decoder, "head_size", path),
                PadTokenId = model["pad_token_id"]?.GetValue<int>()
                    ?? throw new ModelLoadException($"{path} has no model.pad_token_id; convert the checkpoint again with `llava convert`."),
            };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw Invalid(path, ex.Message, ex);
        }
    }

    private static int Required(JsonNode decoder, string name, string path) =>
        decoder[name]?.GetValue<int>() ?? throw Invalid(path, $"no model.decoder.{name}");

    private static ModelLoadException Invalid(string path, string why, Exception? inner = null) =>
        inner is null ? new($"{path} is not a valid GenAI config: {why}.") : new($"{path} is not a valid GenAI config: {why}", inner);
}
