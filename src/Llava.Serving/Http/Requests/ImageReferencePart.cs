using Llava.Inference.Prompts;

namespace Llava.Serving.Http.Requests;

/// <summary>An image named by reference in a request; replaced by an <see cref="ImagePart"/> before the engine sees the prompt.</summary>
internal sealed record ImageReferencePart(string Reference) : PromptPart;
