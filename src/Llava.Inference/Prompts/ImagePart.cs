namespace Llava.Inference.Prompts;

/// <summary>An encoded image (JPEG, PNG, WebP, BMP or GIF bytes) in a message; decoded and checked by the engine.</summary>
public sealed record ImagePart(ReadOnlyMemory<byte> Encoded) : PromptPart;
