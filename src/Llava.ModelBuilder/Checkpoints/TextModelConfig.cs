namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// The language model's hyper-parameters (Llama, Mistral or Yi, which is Llama-shaped), with the
/// defaults transformers applies when llava-hf's diff-style config.json leaves a key out.
/// </summary>
public sealed record TextModelConfig
{
    public required string ModelType { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int NumHiddenLayers { get; init; }

    public required int NumAttentionHeads { get; init; }

    public required int NumKeyValueHeads { get; init; }

    public required int HeadDim { get; init; }

    public required double RmsNormEps { get; init; }

    public required double RopeTheta { get; init; }

    public required int MaxPositionEmbeddings { get; init; }

    public required int VocabSize { get; init; }

    public required string HiddenAct { get; init; }

    public required bool TieWordEmbeddings { get; init; }

    public int? BosTokenId { get; init; }

    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public int? PadTokenId { get; init; }
}
