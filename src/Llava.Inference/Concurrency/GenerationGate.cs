using Llava.Inference.Errors;

namespace Llava.Inference.Concurrency;

/// <summary>
/// Caps generations in flight on one loaded model and bounds how many callers may wait for a slot. A caller
/// over the bound, or one that waited too long, gets <see cref="EngineBusyException"/> at once instead of
/// piling up behind a GPU that is already saturated.
/// </summary>
internal sealed class GenerationGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _maxConcurrent;
    private readonly int _maxQueued;
    private readonly TimeSpan _maxWait;
    private int _waiting;

    public GenerationGate(int maxConcurrent, int maxQueued, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        _maxConcurrent = maxConcurrent;
        _maxQueued = maxQueued;
        _maxWait = maxWait;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
    }

    public int InFlight => _maxConcurrent - _slots.CurrentCount;

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Refuses at once when every slot is taken and the queue is full, so a request that would be refused
    /// anyway does not decode and tile its images first. A hint only: <see cref="EnterAsync"/> still decides.
    /// </summary>
    public void ThrowIfSaturated()
    {
        if (_slots.CurrentCount == 0 && Waiting >= _maxQueued)
        {
            throw Saturated();
        }
    }

    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Lease(_slots);
        }

        if (Interlocked.Increment(ref _waiting) > _maxQueued)
        {
            Interlocked.Decrement(ref _waiting);
            throw Saturated();
        }

        try
        {
            if (!await _slots.WaitAsync(_maxWait, cancellationToken))
            {
                throw new EngineBusyException(_maxWait, $"No generation slot became free within {_maxWait.TotalSeconds:0.#} s.");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Lease(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private EngineBusyException Saturated() =>
        new(_maxWait, $"All {_maxConcurrent} generation slots are busy and {_maxQueued} requests are already waiting.");

    /// <summary>A held slot; disposing it frees the slot exactly once.</summary>
    internal sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
