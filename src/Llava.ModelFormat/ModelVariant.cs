namespace Llava.ModelFormat;

/// <summary>The model families we serve; the manifest names one of them.</summary>
public static class ModelVariant
{
    public const string Llava15 = "llava-1.5";
    public const string NextMistral = "llava-v1.6-mistral";
    public const string NextVicuna = "llava-v1.6-vicuna";
    public const string Next34B = "llava-v1.6-34b";

    public static IReadOnlyList<string> All { get; } = [Llava15, NextMistral, NextVicuna, Next34B];

    /// <summary>The prompt template each family was trained with.</summary>
    public static string TemplateFor(string variant) => variant switch
    {
        Llava15 or NextVicuna => PromptTemplateName.VicunaV1,
        NextMistral => PromptTemplateName.MistralInstruct,
        Next34B => PromptTemplateName.ChatMlDirect,
        _ => throw new ArgumentException($"Unknown model variant '{variant}'. Known: {string.Join(", ", All)}.", nameof(variant)),
    };
}
