using Llava.Inference.Errors;

namespace Llava.Inference.Concurrency;

/// <summary>
/// Admits requests to one loaded model: at most <c>maxConcurrent</c> at once and at most <c>capacityBytes</c> of
/// estimated memory reserved at once, first come first served. A request holds its lease from before its images
/// are decoded until its generation ends, so decoding, preprocessing and generation all count. A caller that
/// would wait behind a full queue, or waited too long, gets <see cref="EngineBusyException"/> instead of piling
/// up behind a replica that is already saturated.
/// </summary>
/// <remarks>
/// Waiters form one FIFO queue; the head is admitted as soon as a slot and its bytes are free, and nobody
/// overtakes it, so a large request cannot be starved by a stream of small ones. The queue is the only count of
/// waiters: a waiter that leaves (timeout, cancellation) is removed from it, so no count can leak.
/// </remarks>
internal sealed class GenerationGate : IDisposable
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private readonly int _maxConcurrent;
    private readonly int _maxQueued;
    private readonly TimeSpan _maxWait;
    private readonly long _capacityBytes;
    private int _inFlight;
    private long _reservedBytes;

    public GenerationGate(int maxConcurrent, int maxQueued, TimeSpan maxWait, long capacityBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        _maxConcurrent = maxConcurrent;
        _maxQueued = maxQueued;
        _maxWait = maxWait;
        _capacityBytes = capacityBytes;
    }

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Bytes reserved by the requests admitted now.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_lock)
            {
                return _reservedBytes;
            }
        }
    }

    public long CapacityBytes => _capacityBytes;

    /// <summary>
    /// Refuses at once when nothing can be admitted now and the queue is full, so a request that would be refused
    /// anyway does not read and tokenize its input first. A hint only: <see cref="EnterAsync"/> still decides.
    /// </summary>
    public void ThrowIfSaturated()
    {
        lock (_lock)
        {
            if (!Fits(1) && _queue.Count >= _maxQueued)
            {
                throw Saturated();
            }
        }
    }

    /// <summary>Waits for a slot with <paramref name="bytes"/> free (at most <see cref="CapacityBytes"/>).</summary>
    public async ValueTask<Lease> EnterAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _capacityBytes);
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_queue.Count == 0 && Fits(bytes))
            {
                return Admit(bytes);
            }

            if (_queue.Count >= _maxQueued)
            {
                throw Saturated();
            }

            waiter = new Waiter(bytes);
            node = _queue.AddLast(waiter);
        }

        try
        {
            return await waiter.Admitted.Task.WaitAsync(_maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _queue.Remove(node);
                    // Leaving may unblock the ones behind: the head is now someone else, who may fit.
                    AdmitWaiters();
                    if (e is TimeoutException)
                    {
                        throw new EngineBusyException(_maxWait, $"No generation slot became free within {_maxWait.TotalSeconds:0.#} s.");
                    }

                    throw;
                }
            }

            // Admitted at the same moment as the timeout or cancellation: the lease is ours.
            Lease lease = await waiter.Admitted.Task.ConfigureAwait(false);
            if (e is TimeoutException)
            {
                return lease;
            }

            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reserves bytes without a slot, now or never: a batch whose padded rows cost more than their own leases
    /// tops them up here, and a row that would need more than the budget has free stays out of the batch.
    /// </summary>
    public Lease? TryReserveBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            if (bytes > _capacityBytes - _reservedBytes)
            {
                return null;
            }

            _reservedBytes += bytes;
            return new Lease(this, bytes, slot: false);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (Waiter waiter in _queue)
            {
                waiter.Admitted.TrySetException(new ObjectDisposedException(nameof(GenerationGate)));
            }

            _queue.Clear();
        }
    }

    private bool Fits(long bytes) => _inFlight < _maxConcurrent && bytes <= _capacityBytes - _reservedBytes;

    private Lease Admit(long bytes)
    {
        _inFlight++;
        _reservedBytes += bytes;
        return new Lease(this, bytes, slot: true);
    }

    private void Release(long bytes, bool slot)
    {
        lock (_lock)
        {
            if (slot)
            {
                _inFlight--;
            }

            _reservedBytes -= bytes;
            AdmitWaiters();
        }
    }

    /// <summary>Admits waiters from the head of the queue while they fit. Called under the lock.</summary>
    private void AdmitWaiters()
    {
        while (_queue.First is { } head && Fits(head.Value.Bytes))
        {
            _queue.RemoveFirst();
            // Continuations run asynchronously (see Waiter), never inside this lock.
            head.Value.Admitted.TrySetResult(Admit(head.Value.Bytes));
        }
    }

    private EngineBusyException Saturated() =>
        new(_maxWait, $"All {_maxConcurrent} generation slots (or the {_capacityBytes / (1024 * 1024)} MiB memory budget) are taken and {_maxQueued} requests are already waiting.");

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource<Lease> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A held slot (or, for a batch's top-up, none) and its bytes; disposing it frees both exactly once.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly GenerationGate _gate;
        private readonly bool _slot;
        private int _released;

        internal Lease(GenerationGate gate, long bytes, bool slot)
        {
            _gate = gate;
            _slot = slot;
            Bytes = bytes;
        }

        public long Bytes { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _gate.Release(Bytes, _slot);
            }
        }
    }
}
