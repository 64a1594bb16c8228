namespace Llava.Reference;

/// <summary>Greedy decoding's result: the new token ids and, for each, the logits it was the argmax of.</summary>
public sealed record GreedyGeneration(IReadOnlyList<int> TokenIds, IReadOnlyList<float[]> StepLogits);
