namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// Read access to a checkpoint's tensors by their llava-hf names, converting any stored float type
/// (fp32, fp16, bf16) to float32. Implementations stream from disk; nothing is cached.
/// </summary>
public interface ITensorSource
{
    /// <summary>True when the checkpoint holds a tensor of that name.</summary>
    bool Contains(string name);

    /// <summary>The tensor's shape as stored. Throws <see cref="CheckpointException"/> naming a missing tensor.</summary>
    long[] GetShape(string name);

    /// <summary>Reads the whole tensor as float32 (row-major, as stored).</summary>
    float[] ReadFloat32(string name);
}
