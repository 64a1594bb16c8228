using System.Text;
using Llava.ModelFormat;

namespace Llava.Inference.Prompts;

/// <summary>
/// LLaVA-1.5 and v1.6-vicuna as llava-hf renders them: <c>USER: &lt;image&gt;\n{q} ASSISTANT:</c>, answers as
/// <c>ASSISTANT: {a} </c>, a system prompt as plain text before the first turn. (The original repo's
/// vicuna_v1 adds a fixed system sentence and ends answers with &lt;/s&gt;; we follow transformers.)
/// </summary>
public sealed class VicunaPromptTemplate : PromptTemplate
{
    public static VicunaPromptTemplate Instance { get; } = new();

    public override string Name => PromptTemplateName.VicunaV1;

    protected override void AppendMessage(StringBuilder prompt, PromptMessage message, string imageToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Role)
        {
            case PromptRole.System:
                AppendParts(prompt, message, imageToken, " ");
                break;
            case PromptRole.User:
                prompt.Append("USER: ");
                AppendParts(prompt, message, imageToken, " ");
                break;
            default:
                prompt.Append("ASSISTANT: ");
                AppendParts(prompt, message, imageToken, " ");
                break;
        }
    }

    protected override void AppendGenerationCue(StringBuilder prompt) => prompt.Append("ASSISTANT:");
}
