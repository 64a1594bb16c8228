using System.Text;
using Llava.ModelFormat;

namespace Llava.Inference.Prompts;

/// <summary>
/// LLaVA-v1.6-mistral as llava-hf renders it: <c>[INST] &lt;image&gt;\n{q} [/INST]</c>, answers as
/// <c> {a}&lt;/s&gt; </c>, a system prompt in <c>&lt;&lt;SYS&gt;&gt;</c> markers. The model's turn starts right after
/// <c>[/INST]</c>, so there is no separate cue.
/// </summary>
public sealed class MistralInstructPromptTemplate : PromptTemplate
{
    public static MistralInstructPromptTemplate Instance { get; } = new();

    public override string Name => PromptTemplateName.MistralInstruct;

    protected override void AppendMessage(StringBuilder prompt, PromptMessage message, string imageToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Role)
        {
            case PromptRole.System:
                prompt.Append("<<SYS>>\n");
                AppendParts(prompt, message, imageToken);
                prompt.Append("\n<</SYS>>\n\n");
                break;
            case PromptRole.User:
                prompt.Append("[INST] ");
                AppendParts(prompt, message, imageToken);
                prompt.Append(" [/INST]");
                break;
            default:
                prompt.Append(' ');
                AppendParts(prompt, message, imageToken);
                prompt.Append("</s> ");
                break;
        }
    }

    protected override void AppendGenerationCue(StringBuilder prompt)
    {
    }
}
