using Llava.Inference.Batching;

namespace Llava.Serving.Hosting;

/// <summary>A snapshot of the model host for health endpoints.</summary>
/// <param name="State">Loading, ready or failed.</param>
/// <param name="Stage">What the host is doing.</param>
/// <param name="Error">Why loading failed.</param>
/// <param name="Variant">The loaded model's variant.</param>
/// <param name="Precision">Its precision.</param>
/// <param name="Source">The checkpoint it was converted from.</param>
/// <param name="ExecutionProvider">cpu or cuda.</param>
/// <param name="InFlight">Requests admitted now.</param>
/// <param name="Uptime">Since the host started.</param>
/// <param name="Batching">The engine's batches, once it is loaded.</param>
/// <param name="MemoryBudgetBytes">The engine's memory budget (0 until it is loaded).</param>
/// <param name="ReservedBytes">What admitted requests have reserved of it.</param>
public sealed record ModelStatus(ModelState State, string Stage, string? Error, string? Variant, string? Precision, string? Source, string? ExecutionProvider, int InFlight, TimeSpan Uptime, BatchingStatus? Batching = null, long MemoryBudgetBytes = 0, long ReservedBytes = 0);
