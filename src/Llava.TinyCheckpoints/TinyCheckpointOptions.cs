using Llava.ModelBuilder.Checkpoints;

namespace Llava.TinyCheckpoints;

/// <summary>How <see cref="TinyCheckpointGenerator"/> writes a checkpoint. The defaults give the refharness-sized fp32 checkpoint.</summary>
public sealed record TinyCheckpointOptions
{
    /// <summary>Weight seed; null takes the family's fixed seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Stored weight type (the values are generated in float32 and rounded once).</summary>
    public SafetensorsDType DType { get; init; } = SafetensorsDType.F32;

    /// <summary>1 writes model.safetensors; more writes model-0000k-of-0000n.safetensors + the index.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>
    /// Scale of q_proj / k_proj weights. 2 (refharness' --qk-gain) sharpens attention enough that the greedy ids
    /// depend on the image; at 1 two different images often gave identical ids.
    /// </summary>
    public double QkGain { get; init; } = 2.0;

    public TinyModelSize Size { get; init; } = TinyModelSize.Tiny;
}
