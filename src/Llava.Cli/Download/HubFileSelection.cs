namespace Llava.Cli.Download;

/// <summary>The files of a llava-hf repository that <c>llava convert</c> reads; everything else (other weight formats, READMEs, images) is skipped.</summary>
internal static class HubFileSelection
{
    private static readonly HashSet<string> s_exact = new(StringComparer.Ordinal)
    {
        "config.json",
        "model.safetensors.index.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "preprocessor_config.json",
        "processor_config.json",
        "chat_template.json",
        "generation_config.json",
    };

    /// <summary>Top-level files only: config.json, *.safetensors and their index, tokenizer*, processor and template files.</summary>
    public static bool IsNeeded(string repositoryPath)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        if (repositoryPath.Contains('/', StringComparison.Ordinal) || repositoryPath.StartsWith('.'))
        {
            return false;
        }

        return s_exact.Contains(repositoryPath)
            || repositoryPath.EndsWith(".safetensors", StringComparison.Ordinal)
            || repositoryPath.StartsWith("tokenizer", StringComparison.Ordinal);
    }
}
