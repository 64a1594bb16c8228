using System.Text;
using Llava.ModelFormat;

namespace Llava.Inference.Prompts;

/// <summary>
/// LLaVA-v1.6-34b (Nous-Hermes-2-Yi) as llava-hf renders it:
/// <c>&lt;|im_start|&gt;{role}\n{parts}&lt;|im_end|&gt;\n</c> per turn, then <c>&lt;|im_start|&gt;assistant\n</c>.
/// The original repo's chatml_direct adds the system prompt "Answer the questions."; llava-hf does not.
/// </summary>
public sealed class ChatMlPromptTemplate : PromptTemplate
{
    public static ChatMlPromptTemplate Instance { get; } = new();

    public override string Name => PromptTemplateName.ChatMlDirect;

    protected override void AppendMessage(StringBuilder prompt, PromptMessage message, string imageToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(message);
        string role = message.Role switch
        {
            PromptRole.System => "system",
            PromptRole.User => "user",
            _ => "assistant",
        };
        prompt.Append("<|im_start|>").Append(role).Append('\n');
        AppendParts(prompt, message, imageToken);
        prompt.Append("<|im_end|>\n");
    }

    protected override void AppendGenerationCue(StringBuilder prompt) => prompt.Append("<|im_start|>assistant\n");
}
