namespace Llava.ModelBuilder;

/// <summary>File names inside a converted model folder.</summary>
public static class ModelFolderLayout
{
    public const string Vision = "vision.onnx";
    public const string Embedding = "embedding.onnx";
    public const string Decoder = "decoder.onnx";
    public const string GenAiConfig = "genai_config.json";

    /// <summary>Checkpoint files copied as they are: the tokenizer and the processors' settings.</summary>
    public static IReadOnlyList<string> CopiedFromCheckpoint { get; } =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "chat_template.json", "preprocessor_config.json", "processor_config.json", "generation_config.json",
    ];

    /// <summary>Checkpoint files without which a model folder cannot serve.</summary>
    public static IReadOnlyList<string> RequiredInCheckpoint { get; } = ["config.json", "tokenizer.json", "tokenizer_config.json"];
}
