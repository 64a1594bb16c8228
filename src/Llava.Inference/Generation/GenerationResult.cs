namespace Llava.Inference.Generation;

/// <summary>A finished answer.</summary>
public sealed record GenerationResult(string Text, FinishReason FinishReason, GenerationUsage Usage, GenerationTimings Timings, IReadOnlyList<int> TokenIds);
