namespace Llava.Cli.Bench;

/// <summary>One row of the concurrency table: the same requests sent with <see cref="Concurrency"/> in flight at a time.</summary>
internal sealed record ConcurrencyLevelResult(
    int Concurrency,
    int Requests,
    int Succeeded,
    double WallSeconds,
    int CompletionTokens,
    double P50Seconds,
    double P95Seconds,
    long PeakBytes,
    bool PeakSinceStart,
    long CompletedBatches,
    long CompletedRows,
    int AnswersEqualToSequential,
    double MedianTimeToFirstTokenSeconds,
    double MedianRowTokensPerSecond);
