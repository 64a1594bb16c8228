namespace Llava.ModelBuilder.Checkpoints;

/// <summary>How a checkpoint's tensors are named.</summary>
public enum LlavaTensorLayout
{
    /// <summary>The llava-hf repositories as published: <c>language_model.model.*</c>, <c>language_model.lm_head</c>, <c>vision_tower.*</c>.</summary>
    LlavaHf,

    /// <summary>What transformers 4.52+ saves: <c>model.language_model.*</c>, <c>lm_head</c>, <c>model.vision_tower.*</c>.</summary>
    Transformers,
}
