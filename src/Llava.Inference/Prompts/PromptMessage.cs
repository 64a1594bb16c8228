namespace Llava.Inference.Prompts;

/// <summary>One turn of a conversation: a role and its parts in order.</summary>
public sealed record PromptMessage(PromptRole Role, IReadOnlyList<PromptPart> Parts)
{
    public static PromptMessage User(string text) => new(PromptRole.User, [new TextPart(text)]);

    /// <summary>A user turn with one image followed by the question, the usual LLaVA prompt.</summary>
    public static PromptMessage User(ReadOnlyMemory<byte> image, string text) => new(PromptRole.User, [new ImagePart(image), new TextPart(text)]);

    public static PromptMessage Assistant(string text) => new(PromptRole.Assistant, [new TextPart(text)]);

    public static PromptMessage System(string text) => new(PromptRole.System, [new TextPart(text)]);
}
