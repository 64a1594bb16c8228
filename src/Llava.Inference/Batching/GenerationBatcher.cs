using System.Diagnostics;
using Llava.Inference.Concurrency;
using Llava.Inference.Engine;

namespace Llava.Inference.Batching;

/// <summary>
/// Groups prepared requests into batches and runs them on a fixed set of generation threads (one per concurrent
/// generation). A batch takes the oldest waiting row, then the rows behind it that can share its generator (same
/// search settings, prompt plus answer within the context, padded cost within the memory budget), up to
/// <c>maxBatchSize</c>.
/// </summary>
/// <remarks>
/// The oldest row waits up to one batching window for company once it is ready; the window stretches while other
/// admitted requests are still decoding their images (they are about to be ready), up to
/// <see cref="MaxWindowStretch"/> windows, and closes at once when the batch is full. With a batch size of 1 nothing
/// waits. A row that cannot join (other settings, no memory) is not refused: it heads a later batch.
/// </remarks>
internal sealed class GenerationBatcher : IDisposable
{
    /// <summary>How many windows a batch may wait for requests that are still decoding their images.</summary>
    public const int MaxWindowStretch = 8;

    private readonly object _lock = new();
    private readonly LinkedList<BatchRow> _pending = new();
    private readonly int _maxBatchSize;
    private readonly TimeSpan _window;
    private readonly int _contextLength;
    private readonly Func<IReadOnlyList<BatchRow>, RequestMemoryEstimate> _estimate;
    private readonly GenerationGate _gate;
    private readonly Action<IReadOnlyList<BatchRow>, IReadOnlyList<GenerationGate.Lease>, CancellationToken> _run;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Thread[] _workers;
    private int _preparing;
    private int _runningRows;
    private int _runningBatches;
    private long _runningKeyValueBytes;
    private long _completedBatches;
    private long _completedRows;
    private bool _stopping;

    /// <param name="generators">Batches running at once, each on its own thread.</param>
    /// <param name="maxBatchSize">Most rows in one batch.</param>
    /// <param name="window">How long the oldest ready row waits for others.</param>
    /// <param name="contextLength">The model's context: a batch's longest padded prompt plus its longest answer must fit.</param>
    /// <param name="estimate">Estimated peak memory of a batch of these rows, padded.</param>
    /// <param name="gate">Where top-up reservations come from.</param>
    /// <param name="run">Runs one batch to its end and releases every lease it is given.</param>
    public GenerationBatcher(int generators, int maxBatchSize, TimeSpan window, int contextLength, Func<IReadOnlyList<BatchRow>, RequestMemoryEstimate> estimate, GenerationGate gate, Action<IReadOnlyList<BatchRow>, IReadOnlyList<GenerationGate.Lease>, CancellationToken> run)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generators, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        _maxBatchSize = maxBatchSize;
        _window = window;
        _contextLength = contextLength;
        _estimate = estimate;
        _gate = gate;
        _run = run;
        _workers = new Thread[generators];
        for (int i = 0; i < generators; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"llava-generation-{i}" };
            _workers[i].Start();
        }
    }

    public BatchingStatus Status()
    {
        int waiting;
        lock (_lock)
        {
            waiting = _pending.Count;
        }

        return new BatchingStatus(
            _maxBatchSize,
            Volatile.Read(ref _runningBatches),
            Volatile.Read(ref _runningRows),
            waiting,
            Interlocked.Read(ref _runningKeyValueBytes),
            Interlocked.Read(ref _completedBatches),
            Interlocked.Read(ref _completedRows));
    }

    /// <summary>A request is reading its input or decoding its images: a batch about to close may wait for it.</summary>
    public void BeginPreparing()
    {
        lock (_lock)
        {
            _preparing++;
        }
    }

    /// <summary>The request is prepared (it is submitted next), waits for admission, or failed.</summary>
    public void EndPreparing()
    {
        lock (_lock)
        {
            _preparing--;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Hands a prepared row over; from here the batcher answers it and releases its lease.</summary>
    public void Submit(BatchRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        LinkedListNode<BatchRow>? node = null;
        lock (_lock)
        {
            if (!_stopping)
            {
                node = _pending.AddLast(row);
                Monitor.PulseAll(_lock);
            }
        }

        if (node is null)
        {
            row.Lease.Dispose();
            row.Complete(new ObjectDisposedException(nameof(GenerationBatcher)));
            return;
        }

        // A caller who leaves while its row waits gets its slot back now, not when a batch forms (a row already in a
        // batch is left to the batch, which sees the cancellation at its next step).
        row.CancellationToken.UnsafeRegister(_ => Withdraw(node), null);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        _shutdown.Cancel();
        foreach (Thread worker in _workers)
        {
            worker.Join();
        }

        foreach (BatchRow row in _pending)
        {
            row.Lease.Dispose();
            row.Complete(new ObjectDisposedException(nameof(GenerationBatcher)));
        }

        _pending.Clear();
        _shutdown.Dispose();
    }

    private void Withdraw(LinkedListNode<BatchRow> node)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return;
            }

            _pending.Remove(node);
            Monitor.PulseAll(_lock);
        }

        node.Value.Lease.Dispose();
        node.Value.Complete();
    }

    private void Work()
    {
        while (TakeBatch() is { } batch)
        {
            long keyValue = _estimate(batch.Rows).KeyValueCache;
            Interlocked.Add(ref _runningKeyValueBytes, keyValue);
            Interlocked.Add(ref _runningRows, batch.Rows.Count);
            Interlocked.Increment(ref _runningBatches);
            try
            {
                _run(batch.Rows, batch.TopUps, _shutdown.Token);
            }
            finally
            {
                Interlocked.Add(ref _runningKeyValueBytes, -keyValue);
                Interlocked.Add(ref _runningRows, -batch.Rows.Count);
                Interlocked.Decrement(ref _runningBatches);
                Interlocked.Add(ref _completedRows, batch.Rows.Count);
                Interlocked.Increment(ref _completedBatches);
            }
        }
    }

    /// <summary>Waits for a batch to close and takes its rows; null when stopping.</summary>
    private Batch? TakeBatch()
    {
        lock (_lock)
        {
            while (true)
            {
                if (_stopping)
                {
                    return null;
                }

                if (_pending.First is not { } head)
                {
                    Monitor.Wait(_lock);
                    continue;
                }

                TimeSpan? wait = WaitBeforeClosing(head.Value);
                if (wait is null)
                {
                    return Form();
                }

                Monitor.Wait(_lock, wait.Value);
            }
        }
    }

    /// <summary>How much longer the oldest row waits for company; null when its batch closes now. Under the lock.</summary>
    private TimeSpan? WaitBeforeClosing(BatchRow head)
    {
        if (_maxBatchSize == 1 || !head.Settings.Shareable)
        {
            return null;
        }

        int company = 0;
        foreach (BatchRow row in _pending)
        {
            if (row.Settings.Shareable && row.Settings == head.Settings)
            {
                company++;
            }
        }

        if (company >= _maxBatchSize)
        {
            return null;
        }

        TimeSpan waited = Stopwatch.GetElapsedTime(head.ReadyAt);
        TimeSpan limit = _preparing > 0 ? _window * MaxWindowStretch : _window;
        return waited >= limit ? null : limit - waited;
    }

    /// <summary>Takes the oldest row and the rows behind it that can share its generator. Under the lock.</summary>
    private Batch Form()
    {
        LinkedListNode<BatchRow> headNode = _pending.First!;
        BatchRow head = headNode.Value;
        _pending.RemoveFirst();
        List<BatchRow> rows = [head];
        List<GenerationGate.Lease> topUps = [];
        if (!head.Settings.Shareable)
        {
            return new Batch(rows, topUps);
        }

        long topped = 0;
        LinkedListNode<BatchRow>? node = _pending.First;
        while (node is not null && rows.Count < _maxBatchSize)
        {
            LinkedListNode<BatchRow>? next = node.Next;
            BatchRow candidate = node.Value;
            if (candidate.Settings.Shareable && candidate.Settings == head.Settings && FitsContext(rows, candidate))
            {
                List<BatchRow> trial = [.. rows, candidate];
                long over = _estimate(trial).Total - trial.Sum(r => r.Lease.Bytes) - topped;
                GenerationGate.Lease? topUp = over > 0 ? _gate.TryReserveBytes(over) : null;
                if (over <= 0 || topUp is not null)
                {
                    if (topUp is not null)
                    {
                        topUps.Add(topUp);
                        topped += topUp.Bytes;
                    }

                    rows.Add(candidate);
                    _pending.Remove(node);
                }
            }

            node = next;
        }

        return new Batch(rows, topUps);
    }

    /// <summary>The longest prompt (every row is padded to it) plus the longest answer must fit the context.</summary>
    private bool FitsContext(List<BatchRow> rows, BatchRow candidate)
    {
        int padded = Math.Max(rows.Max(r => r.Prompt.TokenIds.Length), candidate.Prompt.TokenIds.Length);
        int answer = Math.Max(rows.Max(r => r.Options.MaxNewTokens), candidate.Options.MaxNewTokens);
        return (long)padded + answer <= _contextLength;
    }

    private sealed record Batch(IReadOnlyList<BatchRow> Rows, IReadOnlyList<GenerationGate.Lease> TopUps);
}
