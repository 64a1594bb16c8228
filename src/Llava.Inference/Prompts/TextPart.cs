namespace Llava.Inference.Prompts;

/// <summary>Text in a message.</summary>
public sealed record TextPart(string Text) : PromptPart;
