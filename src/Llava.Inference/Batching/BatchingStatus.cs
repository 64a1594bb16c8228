namespace Llava.Inference.Batching;

/// <summary>What the engine's batching is doing now and has done since it loaded (health endpoints report it).</summary>
/// <param name="MaxBatchSize">Most requests one generator answers together.</param>
/// <param name="RunningBatches">Batches generating now.</param>
/// <param name="GeneratingRows">Requests generating now, over all running batches.</param>
/// <param name="WaitingRows">Requests prepared and waiting for their batch to close.</param>
/// <param name="KeyValueCacheBytes">Estimated KV cache of the running batches (every row padded to its batch's longest prompt and answer); part of the reserved memory, so never above the budget.</param>
/// <param name="CompletedBatches">Batches run to their end since the model loaded.</param>
/// <param name="CompletedRows">Requests answered in those batches (divided by <paramref name="CompletedBatches"/>: the mean batch size).</param>
public sealed record BatchingStatus(int MaxBatchSize, int RunningBatches, int GeneratingRows, int WaitingRows, long KeyValueCacheBytes, long CompletedBatches, long CompletedRows);
