namespace Llava.Serving.Http.Responses;

/// <summary>What model a ready host serves.</summary>
public sealed record HealthModel(string? Variant, string? Precision, string? Source, string? ExecutionProvider);
