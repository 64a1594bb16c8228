using Llava.ModelBuilder.Checkpoints;

namespace Llava.TinyCheckpoints;

/// <summary>
/// The tiny generator at <see cref="TinyModelSize.MidSize"/>: real LLaVA proportions at about 160 M parameters
/// (0.3 GB in fp16), for benchmarks of conversion and inference. Generated on demand, never committed.
/// </summary>
public static class MidSizeCheckpointGenerator
{
    /// <summary>Writes a mid-size checkpoint; without options the weights are stored fp16, as published checkpoints are.</summary>
    public static IReadOnlyList<string> Write(TinyFamily family, string outDir, TinyCheckpointOptions? options = null)
    {
        TinyCheckpointOptions effective = (options ?? new TinyCheckpointOptions { DType = SafetensorsDType.F16 }) with { Size = TinyModelSize.MidSize };
        return TinyCheckpointGenerator.Write(family, outDir, effective);
    }
}
