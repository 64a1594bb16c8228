namespace Llava.Inference.Prompts;

/// <summary>A piece of a message: text, or an image that is expanded to its feature rows where it stands.</summary>
public abstract record PromptPart;
