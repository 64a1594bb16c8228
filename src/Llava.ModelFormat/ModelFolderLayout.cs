namespace Llava.ModelFormat;

/// <summary>
/// File names inside a converted model folder (and the checkpoint files it is made from): the builder writes
/// them, the runtime reads them, both from here.
/// </summary>
public static class ModelFolderLayout
{
    public const string Vision = "vision.onnx";
    public const string Embedding = "embedding.onnx";
    public const string Decoder = "decoder.onnx";
    public const string GenAiConfig = "genai_config.json";

    /// <summary>The manifest listing every other file with its size and SHA-256.</summary>
    public const string Manifest = ModelManifest.FileName;

    /// <summary>The Hugging Face tokenizer (GenAI encodes with it; answers are decoded from its decoder section).</summary>
    public const string Tokenizer = "tokenizer.json";

    /// <summary>Tokenizer settings (<c>add_bos_token</c>, special tokens).</summary>
    public const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>The checkpoint's model configuration (read by the builder; not copied).</summary>
    public const string CheckpointConfig = "config.json";

    /// <summary>The image processor settings of the checkpoint.</summary>
    public const string PreprocessorConfig = "preprocessor_config.json";

    /// <summary>Checkpoint files copied as they are: the tokenizer and the processors' settings.</summary>
    public static IReadOnlyList<string> CopiedFromCheckpoint { get; } =
    [
        Tokenizer, TokenizerConfig, "special_tokens_map.json", "added_tokens.json",
        "chat_template.json", PreprocessorConfig, "processor_config.json", "generation_config.json",
    ];

    /// <summary>Checkpoint files without which a model folder cannot serve.</summary>
    public static IReadOnlyList<string> RequiredInCheckpoint { get; } = [CheckpointConfig, Tokenizer, TokenizerConfig];

    /// <summary>Files a model folder's manifest must list for the runtime to load it.</summary>
    public static IReadOnlyList<string> RequiredInFolder { get; } = [GenAiConfig, Tokenizer, TokenizerConfig];
}
