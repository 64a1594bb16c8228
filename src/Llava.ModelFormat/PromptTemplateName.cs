namespace Llava.ModelFormat;

/// <summary>The conversation templates of the LLaVA family, named as in the original LLaVA repository.</summary>
public static class PromptTemplateName
{
    /// <summary>LLaVA-1.5 and v1.6-vicuna: <c>USER: &lt;image&gt;\n{q} ASSISTANT:</c>.</summary>
    public const string VicunaV1 = "vicuna_v1";

    /// <summary>v1.6-mistral: <c>[INST] &lt;image&gt;\n{q} [/INST]</c>.</summary>
    public const string MistralInstruct = "mistral_instruct";

    /// <summary>v1.6-34b: ChatML with <c>&lt;|im_start|&gt;</c> / <c>&lt;|im_end|&gt;</c>.</summary>
    public const string ChatMlDirect = "chatml_direct";

    public static IReadOnlyList<string> All { get; } = [VicunaV1, MistralInstruct, ChatMlDirect];
}
