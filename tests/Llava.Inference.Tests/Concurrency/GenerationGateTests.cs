using Llava.Inference.Concurrency;
using Llava.Inference.Errors;

namespace Llava.Inference.Tests.Concurrency;

public sealed class GenerationGateTests
{
    private static readonly TimeSpan s_long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_batch_top_up_reserves_bytes_without_a_slot_now_or_never_and_gives_them_back_once()
    {
        using GenerationGate gate = new(1, 0, s_long, capacityBytes: 100);
        GenerationGate.Lease row = await gate.EnterAsync(60, CancellationToken.None);

        Assert.Null(gate.TryReserveBytes(41));
        GenerationGate.Lease? topUp = gate.TryReserveBytes(40);

        Assert.NotNull(topUp);
        Assert.Equal(40, topUp.Bytes);
        Assert.Equal(100, gate.ReservedBytes);
        Assert.Equal(1, gate.InFlight);
        topUp.Dispose();
        topUp.Dispose();
        Assert.Equal(60, gate.ReservedBytes);
        Assert.Equal(1, gate.InFlight);
        row.Dispose();
        Assert.Equal(0, gate.ReservedBytes);
        Assert.Equal(0, gate.InFlight);
        Assert.Throws<ArgumentOutOfRangeException>(() => gate.TryReserveBytes(-1));
    }

    [Fact]
    public async Task Requests_are_admitted_up_to_the_slot_count_and_the_next_waits_until_one_leaves()
    {
        using GenerationGate gate = new(2, 4, s_long);
        GenerationGate.Lease a = await gate.EnterAsync(0, CancellationToken.None);
        GenerationGate.Lease b = await gate.EnterAsync(0, CancellationToken.None);
        ValueTask<GenerationGate.Lease> c = gate.EnterAsync(0, CancellationToken.None);

        Assert.Equal(2, gate.InFlight);
        Assert.False(c.IsCompleted);
        Assert.Equal(1, gate.Waiting);

        a.Dispose();
        using GenerationGate.Lease admitted = await c;
        Assert.Equal(2, gate.InFlight);
        Assert.Equal(0, gate.Waiting);
        b.Dispose();
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_and_the_refusal_leaves_no_waiter_behind()
    {
        using GenerationGate gate = new(1, 1, s_long);
        GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);
        ValueTask<GenerationGate.Lease> queued = gate.EnterAsync(0, CancellationToken.None);

        EngineBusyException busy = await Assert.ThrowsAsync<EngineBusyException>(async () => await gate.EnterAsync(0, CancellationToken.None));
        Assert.Equal(s_long, busy.RetryAfter);
        Assert.Equal(1, gate.Waiting);

        held.Dispose();
        (await queued).Dispose();
        Assert.Equal(0, gate.Waiting);
        Assert.Equal(0, gate.InFlight);

        // Nothing leaked: the queue place and the slot are both free again.
        using GenerationGate.Lease again = await gate.EnterAsync(0, CancellationToken.None);
        ValueTask<GenerationGate.Lease> waits = gate.EnterAsync(0, CancellationToken.None);
        Assert.False(waits.IsCompleted);
        again.Dispose();
        (await waits).Dispose();
    }

    [Fact]
    public async Task A_wait_that_times_out_is_busy_and_gives_its_queue_place_back()
    {
        using GenerationGate gate = new(1, 1, TimeSpan.FromMilliseconds(50));
        using GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);

        for (int i = 0; i < 3; i++)
        {
            EngineBusyException busy = await Assert.ThrowsAsync<EngineBusyException>(async () => await gate.EnterAsync(0, CancellationToken.None));
            Assert.Contains("within", busy.Message, StringComparison.Ordinal);
            Assert.Equal(0, gate.Waiting);
        }
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_queue_place_back()
    {
        using GenerationGate gate = new(1, 1, s_long);
        GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);
        using CancellationTokenSource cancel = new();
        ValueTask<GenerationGate.Lease> waiting = gate.EnterAsync(0, cancel.Token);
        Assert.Equal(1, gate.Waiting);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        Assert.Equal(0, gate.Waiting);

        ValueTask<GenerationGate.Lease> next = gate.EnterAsync(0, CancellationToken.None);
        held.Dispose();
        using GenerationGate.Lease lease = await next;
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task A_waiter_admitted_as_it_is_cancelled_does_not_keep_the_slot()
    {
        using GenerationGate gate = new(1, 1, s_long);
        GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);
        using CancellationTokenSource cancel = new();
        ValueTask<GenerationGate.Lease> waiting = gate.EnterAsync(0, cancel.Token);

        // Callbacks run newest first, so this one hands the slot to the waiter just before its wait sees the
        // cancellation: the waiter is admitted and cancelled at once. Either outcome is allowed (the lease, or
        // the cancellation with the lease given back), but the slot must not stay taken.
        using CancellationTokenRegistration admitFirst = cancel.Token.Register(held.Dispose);
        await cancel.CancelAsync();
        Exception? outcome = await Record.ExceptionAsync(async () => (await waiting).Dispose());

        Assert.True(outcome is null or OperationCanceledException, $"Unexpected {outcome}");
        Assert.Equal(0, gate.InFlight);
        Assert.Equal(0, gate.Waiting);
        using GenerationGate.Lease again = await gate.EnterAsync(0, CancellationToken.None);
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task Bytes_are_reserved_so_a_free_slot_without_free_bytes_still_waits()
    {
        using GenerationGate gate = new(4, 4, s_long, capacityBytes: 100);
        GenerationGate.Lease big = await gate.EnterAsync(70, CancellationToken.None);
        using GenerationGate.Lease small = await gate.EnterAsync(30, CancellationToken.None);
        Assert.Equal(100, gate.ReservedBytes);

        ValueTask<GenerationGate.Lease> more = gate.EnterAsync(1, CancellationToken.None);
        Assert.False(more.IsCompleted);

        big.Dispose();
        using GenerationGate.Lease admitted = await more;
        Assert.Equal(31, gate.ReservedBytes);
        Assert.Equal(1, admitted.Bytes);
    }

    [Fact]
    public async Task The_head_of_the_queue_is_not_overtaken_by_smaller_requests()
    {
        using GenerationGate gate = new(4, 4, s_long, capacityBytes: 100);
        GenerationGate.Lease first = await gate.EnterAsync(60, CancellationToken.None);
        ValueTask<GenerationGate.Lease> large = gate.EnterAsync(80, CancellationToken.None);
        ValueTask<GenerationGate.Lease> small = gate.EnterAsync(10, CancellationToken.None);

        // 10 bytes would fit now, but the 80-byte request came first.
        Assert.False(small.IsCompleted);
        Assert.Equal(2, gate.Waiting);

        first.Dispose();
        using GenerationGate.Lease l = await large;
        using GenerationGate.Lease s = await small;
        Assert.Equal(90, gate.ReservedBytes);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task A_waiter_that_leaves_lets_the_ones_behind_it_in_when_they_fit()
    {
        using GenerationGate gate = new(4, 4, s_long, capacityBytes: 100);
        using GenerationGate.Lease first = await gate.EnterAsync(60, CancellationToken.None);
        using CancellationTokenSource cancel = new();
        ValueTask<GenerationGate.Lease> large = gate.EnterAsync(80, cancel.Token);
        ValueTask<GenerationGate.Lease> small = gate.EnterAsync(10, CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await large);

        using GenerationGate.Lease s = await small;
        Assert.Equal(70, gate.ReservedBytes);
    }

    [Fact]
    public async Task Disposing_a_lease_twice_frees_its_slot_and_bytes_once()
    {
        using GenerationGate gate = new(2, 0, s_long, capacityBytes: 100);
        GenerationGate.Lease a = await gate.EnterAsync(40, CancellationToken.None);
        using GenerationGate.Lease b = await gate.EnterAsync(40, CancellationToken.None);

        a.Dispose();
        a.Dispose();

        Assert.Equal(1, gate.InFlight);
        Assert.Equal(40, gate.ReservedBytes);
    }

    [Fact]
    public async Task Saturation_is_reported_only_when_nothing_fits_and_the_queue_is_full()
    {
        using GenerationGate gate = new(1, 1, s_long, capacityBytes: 100);
        gate.ThrowIfSaturated();
        GenerationGate.Lease held = await gate.EnterAsync(10, CancellationToken.None);
        gate.ThrowIfSaturated();
        ValueTask<GenerationGate.Lease> queued = gate.EnterAsync(10, CancellationToken.None);

        Assert.Throws<EngineBusyException>(gate.ThrowIfSaturated);

        held.Dispose();
        (await queued).Dispose();
        gate.ThrowIfSaturated();
    }

    [Fact]
    public async Task A_saturated_refusal_names_the_slots_the_budget_in_mib_and_the_queue()
    {
        using GenerationGate gate = new(1, 0, s_long, capacityBytes: 300L * 1024 * 1024);
        using GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);

        EngineBusyException busy = Assert.Throws<EngineBusyException>(gate.ThrowIfSaturated);

        Assert.Equal(
            "All 1 generation slots (or the 300 MiB memory budget) are taken and 0 requests are already waiting.",
            busy.Message);
    }

    [Fact]
    public async Task A_full_byte_budget_with_a_full_queue_is_saturated_even_with_free_slots()
    {
        using GenerationGate gate = new(4, 0, s_long, capacityBytes: 100);
        using GenerationGate.Lease all = await gate.EnterAsync(100, CancellationToken.None);

        Assert.Throws<EngineBusyException>(gate.ThrowIfSaturated);
        await Assert.ThrowsAsync<EngineBusyException>(async () => await gate.EnterAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task A_request_larger_than_the_capacity_or_negative_is_a_bug_not_a_wait()
    {
        using GenerationGate gate = new(1, 1, s_long, capacityBytes: 100);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await gate.EnterAsync(101, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await gate.EnterAsync(-1, CancellationToken.None));
        using GenerationGate.Lease exact = await gate.EnterAsync(100, CancellationToken.None);
        Assert.Equal(100, gate.CapacityBytes);
    }

    [Fact]
    public void Limits_are_checked_on_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationGate(0, 1, s_long));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationGate(1, -1, s_long));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationGate(1, 1, s_long, capacityBytes: 0));
        using GenerationGate zeroQueue = new(1, 0, s_long, capacityBytes: 1);
        Assert.Equal(0, zeroQueue.Waiting);
    }

    [Fact]
    public async Task Disposing_the_gate_fails_its_waiters()
    {
        GenerationGate gate = new(1, 1, s_long);
        using GenerationGate.Lease held = await gate.EnterAsync(0, CancellationToken.None);
        ValueTask<GenerationGate.Lease> waiting = gate.EnterAsync(0, CancellationToken.None);

        gate.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        Assert.Equal(0, gate.Waiting);
    }
}
