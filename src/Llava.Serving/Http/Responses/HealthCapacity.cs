namespace Llava.Serving.Http.Responses;

/// <summary>
/// How full a ready replica is: its memory budget and what admitted requests have reserved of it (every running
/// batch's KV cache included, so the KV cache can never exceed the budget), and its batches.
/// </summary>
/// <param name="MemoryBudgetBytes">Memory all requests together may use besides the weights.</param>
/// <param name="ReservedBytes">Estimated peak memory of the requests admitted now.</param>
/// <param name="KeyValueCacheBytes">Estimated KV cache of the running batches (part of <paramref name="ReservedBytes"/>).</param>
/// <param name="MaxBatchSize">Most requests one generator answers together.</param>
/// <param name="RunningBatches">Batches generating now.</param>
/// <param name="GeneratingRequests">Requests generating now, over all running batches.</param>
/// <param name="WaitingRequests">Requests prepared and waiting for their batch to close.</param>
/// <param name="CompletedBatches">Batches run since the model loaded.</param>
/// <param name="CompletedRequests">Requests answered in them (their ratio is the mean batch size).</param>
public sealed record HealthCapacity(
    long MemoryBudgetBytes,
    long ReservedBytes,
    long KeyValueCacheBytes,
    int MaxBatchSize,
    int RunningBatches,
    int GeneratingRequests,
    int WaitingRequests,
    long CompletedBatches,
    long CompletedRequests);
