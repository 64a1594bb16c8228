namespace Llava.TinyCheckpoints;

/// <summary>How a generated parameter is initialised (make_tiny_hf.py's recipe).</summary>
internal enum TinyInitKind
{
    /// <summary>N(0, 1) / sqrt(fan_in): keeps activations O(1) through the stacks.</summary>
    Linear,

    /// <summary>Linear, times the q/k gain.</summary>
    QueryKey,

    /// <summary>N(0, 1): token, class and position embeddings, image_newline.</summary>
    Embedding,

    /// <summary>1 + 0.1 N(0, 1).</summary>
    NormWeight,

    /// <summary>0.1 N(0, 1).</summary>
    Bias,
}
