namespace Llava.Inference.Prompts;

/// <summary>Who speaks in a conversation turn.</summary>
public enum PromptRole
{
    System,
    User,
    Assistant,
}
