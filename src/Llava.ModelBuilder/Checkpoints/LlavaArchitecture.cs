namespace Llava.ModelBuilder.Checkpoints;

/// <summary>The two llava-hf model classes we convert.</summary>
public enum LlavaArchitecture
{
    /// <summary><c>LlavaForConditionalGeneration</c>: LLaVA-1.5, one 336 px tile per image.</summary>
    Llava,

    /// <summary><c>LlavaNextForConditionalGeneration</c>: LLaVA-NeXT (v1.6) with anyres tiling.</summary>
    LlavaNext,
}
