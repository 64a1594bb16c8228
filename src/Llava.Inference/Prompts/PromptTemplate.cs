using System.Text;
using Llava.ModelFormat;

namespace Llava.Inference.Prompts;

/// <summary>
/// Renders a conversation into the prompt text a LLaVA family was trained on, following the llava-hf chat
/// templates (the reference users compare against). Each image becomes the image token followed by a newline,
/// where it stands in its message; with the usual image-then-question order this is exactly llava-hf's
/// rendering, which puts a message's images before its text. BOS is not part of the text: the engine adds it
/// once, as a token.
/// </summary>
public abstract class PromptTemplate
{
    /// <summary>The template's name, as the manifest records it.</summary>
    public abstract string Name { get; }

    /// <summary>Renders the messages and the cue for the assistant's next turn.</summary>
    public string Render(IReadOnlyList<PromptMessage> messages, string imageToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentException.ThrowIfNullOrEmpty(imageToken);
        StringBuilder prompt = new();
        foreach (PromptMessage message in messages)
        {
            AppendMessage(prompt, message, imageToken);
        }

        AppendGenerationCue(prompt);
        return prompt.ToString();
    }

    public static PromptTemplate For(string name) => name switch
    {
        PromptTemplateName.VicunaV1 => VicunaPromptTemplate.Instance,
        PromptTemplateName.MistralInstruct => MistralInstructPromptTemplate.Instance,
        PromptTemplateName.ChatMlDirect => ChatMlPromptTemplate.Instance,
        _ => throw new ArgumentException($"Unknown prompt template '{name}'. Known: {string.Join(", ", PromptTemplateName.All)}.", nameof(name)),
    };

    protected abstract void AppendMessage(StringBuilder prompt, PromptMessage message, string imageToken);

    protected abstract void AppendGenerationCue(StringBuilder prompt);

    /// <summary>Images as "&lt;image&gt;\n" and text as given (plus a suffix after each text part), in order.</summary>
    protected static void AppendParts(StringBuilder prompt, PromptMessage message, string imageToken, string textSuffix = "")
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(message);
        foreach (PromptPart part in message.Parts)
        {
            switch (part)
            {
                case ImagePart:
                    prompt.Append(imageToken).Append('\n');
                    break;
                case TextPart text:
                    prompt.Append(text.Text).Append(textSuffix);
                    break;
                default:
                    throw new ArgumentException($"Unsupported prompt part {part.GetType().Name}.", nameof(message));
            }
        }
    }
}
