namespace Llava.Serving.Hosting;

/// <summary>A snapshot of the model host for health endpoints.</summary>
public sealed record ModelStatus(ModelState State, string Stage, string? Error, string? Variant, string? Precision, string? Source, string? ExecutionProvider, int InFlight, TimeSpan Uptime);
