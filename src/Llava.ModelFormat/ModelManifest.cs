using System.Text.Json;
using System.Text.Json.Serialization;

namespace Llava.ModelFormat;

/// <summary>
/// <c>llava_manifest.json</c>: what a converted model folder holds and how to use it. Written last by the
/// builder (after every other file, with their SHA-256), validated first by the runtime.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "llava_manifest.json";
    /// <summary>2: the folder names the execution provider it was built for and its decoder's attention.</summary>
    public const int CurrentFormatVersion = 2;

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    [JsonPropertyName("format_version")]
    public required int FormatVersion { get; init; }

    /// <summary>One of <see cref="ModelVariant"/>.</summary>
    [JsonPropertyName("variant")]
    public required string Variant { get; init; }

    /// <summary>One of <see cref="PromptTemplateName"/>.</summary>
    [JsonPropertyName("prompt_template")]
    public required string PromptTemplate { get; init; }

    [JsonPropertyName("image_token")]
    public required string ImageToken { get; init; }

    [JsonPropertyName("image_token_id")]
    public required int ImageTokenId { get; init; }

    [JsonPropertyName("bos_token_id")]
    public int? BosTokenId { get; init; }

    [JsonPropertyName("eos_token_ids")]
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    [JsonPropertyName("context_length")]
    public required int ContextLength { get; init; }

    [JsonPropertyName("vocab_size")]
    public required int VocabSize { get; init; }

    [JsonPropertyName("hidden_size")]
    public required int HiddenSize { get; init; }

    /// <summary>fp32, fp16 or int4.</summary>
    [JsonPropertyName("precision")]
    public required string Precision { get; init; }

    /// <summary>One of <see cref="ExecutionProviderName"/>: the only provider the graphs were built for.</summary>
    [JsonPropertyName("execution_provider")]
    public required string ExecutionProvider { get; init; }

    /// <summary>One of <see cref="AttentionKind"/>.</summary>
    [JsonPropertyName("attention")]
    public required string Attention { get; init; }

    /// <summary>One of <see cref="ActivationTypeName"/>: the element type of pixel_values and of every activation.</summary>
    [JsonPropertyName("activation_type")]
    public required string ActivationType { get; init; }

    [JsonPropertyName("int4_block_size")]
    public int? Int4BlockSize { get; init; }

    /// <summary>int4 only: "asymmetric" (a zero point per block) or "symmetric" (zero point 8, none stored).</summary>
    [JsonPropertyName("int4_scheme")]
    public string? Int4Scheme { get; init; }

    /// <summary>int4 only: whether the LM head is 4-bit too (false: kept in the activation type).</summary>
    [JsonPropertyName("int4_lm_head")]
    public bool? Int4LmHead { get; init; }

    [JsonPropertyName("vision")]
    public required VisionPreprocessing Vision { get; init; }

    /// <summary>Where the weights came from: the checkpoint's name (or folder) and its config's SHA-256.</summary>
    [JsonPropertyName("source_checkpoint")]
    public required string SourceCheckpoint { get; init; }

    [JsonPropertyName("source_config_sha256")]
    public required string SourceConfigSha256 { get; init; }

    [JsonPropertyName("builder_version")]
    public required string BuilderVersion { get; init; }

    [JsonPropertyName("created_utc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Every other file of the folder, with size and SHA-256.</summary>
    [JsonPropertyName("files")]
    public required IReadOnlyList<ManifestFile> Files { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static ModelManifest FromJson(string json) =>
        JsonSerializer.Deserialize<ModelManifest>(json, s_json) ?? throw new JsonException("The manifest is empty.");
}
