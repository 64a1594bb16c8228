using System.Threading.Channels;
using Llava.Inference.Batching;
using Llava.Inference.Concurrency;
using Llava.Inference.Engine;
using Llava.Inference.Generation;

namespace Llava.Inference.Tests.Batching;

/// <summary>
/// How requests are grouped, with a stand-in for the generator: every test first occupies the only generation
/// thread with a blocking batch, queues its rows behind it, then lets go, so the grouping never depends on timing.
/// </summary>
public sealed class GenerationBatcherTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly GenerationGate _gate = new(maxConcurrent: 64, maxQueued: 0, maxWait: TimeSpan.FromSeconds(1), capacityBytes: 1000);
    private readonly Channel<IReadOnlyList<BatchRow>> _batches = Channel.CreateUnbounded<IReadOnlyList<BatchRow>>();
    private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<BatchRow, ChannelReader<GenerationUpdate>> _readers = [];
    private Func<IReadOnlyList<BatchRow>, long> _extraBytes = _ => 0;
    private long _observedReservedBytes;
    private GenerationBatcher? _batcher;

    public void Dispose()
    {
        _releaseFirst.TrySetResult();
        _batcher?.Dispose();
        _gate.Dispose();
    }

    [Fact]
    public async Task A_full_batch_closes_at_once_without_waiting_out_its_window()
    {
        GenerationBatcher batcher = Start(maxBatchSize: 3, window: TimeSpan.FromMinutes(10), blockFirst: false);
        BatchRow[] rows = [await Row(), await Row(), await Row()];
        foreach (BatchRow row in rows)
        {
            batcher.Submit(row);
        }

        IReadOnlyList<BatchRow> batch = await NextBatch();
        Assert.Equal(rows, batch);
    }

    [Fact]
    public async Task Rows_join_the_oldest_rows_batch_only_with_the_same_search_settings()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow greedy1 = await Row();
        BatchRow sampled = await Row(new GenerationOptions { Temperature = 0.5f });
        BatchRow greedy2 = await Row();
        BatchRow penalised = await Row(new GenerationOptions { RepetitionPenalty = 1.2f });
        foreach (BatchRow row in new[] { greedy1, sampled, greedy2, penalised })
        {
            batcher.Submit(row);
        }

        _releaseFirst.SetResult();
        Assert.Equal([greedy1, greedy2], await NextBatch());
        Assert.Equal([sampled], await NextBatch());
        Assert.Equal([penalised], await NextBatch());
    }

    [Fact]
    public async Task Seeded_sampling_and_constrained_rows_run_alone()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow seeded1 = await Row(new GenerationOptions { Temperature = 0.5f, Seed = 1 });
        BatchRow seeded2 = await Row(new GenerationOptions { Temperature = 0.5f, Seed = 1 });
        BatchRow constrained = await Row(new GenerationOptions { Constraint = OutputConstraint.Regex("[a-z]+") });
        BatchRow constrained2 = await Row(new GenerationOptions { Constraint = OutputConstraint.Regex("[a-z]+") });
        foreach (BatchRow row in new[] { seeded1, seeded2, constrained, constrained2 })
        {
            batcher.Submit(row);
        }

        _releaseFirst.SetResult();
        for (int i = 0; i < 4; i++)
        {
            Assert.Single(await NextBatch());
        }
    }

    [Fact]
    public async Task A_batch_takes_at_most_its_size_and_the_rest_head_the_next()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 2);
        BatchRow[] rows = [await Row(), await Row(), await Row()];
        foreach (BatchRow row in rows)
        {
            batcher.Submit(row);
        }

        _releaseFirst.SetResult();
        Assert.Equal(rows[..2], await NextBatch());
        Assert.Equal(rows[2..], await NextBatch());
    }

    [Fact]
    public async Task A_row_whose_padding_needs_more_memory_than_is_free_waits_for_a_later_batch()
    {
        // Rows reserve 100 bytes each; batching any two costs 950 more, which the 1000-byte budget cannot add on top
        // of what is reserved.
        _extraBytes = rows => rows.Count > 1 ? 950 : 0;
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow a = await Row();
        BatchRow b = await Row();
        batcher.Submit(a);
        batcher.Submit(b);

        _releaseFirst.SetResult();
        Assert.Equal([a], await NextBatch());
        Assert.Equal([b], await NextBatch());
    }

    [Fact]
    public async Task Memory_a_batch_adds_for_padding_is_reserved_while_it_runs_and_returned_after()
    {
        _extraBytes = rows => rows.Count > 1 ? 300 : 0;
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow a = await Row();
        BatchRow b = await Row();
        batcher.Submit(a);
        batcher.Submit(b);
        long before = _gate.ReservedBytes;

        _releaseFirst.SetResult();
        Assert.Equal([a, b], await NextBatch());
        Assert.Equal(before - 100 + 300, _observedReservedBytes);
    }

    [Fact]
    public async Task Rows_whose_longest_prompt_and_answer_exceed_the_context_are_not_batched_together()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4, contextLength: 100);
        BatchRow longPrompt = await Row(new GenerationOptions { MaxNewTokens = 10 }, promptTokens: 80);
        BatchRow longAnswer = await Row(new GenerationOptions { MaxNewTokens = 60 }, promptTokens: 20);
        BatchRow fits = await Row(new GenerationOptions { MaxNewTokens = 20 }, promptTokens: 20);
        batcher.Submit(longPrompt);
        batcher.Submit(longAnswer);
        batcher.Submit(fits);

        _releaseFirst.SetResult();
        Assert.Equal([longPrompt, fits], await NextBatch());
        Assert.Equal([longAnswer], await NextBatch());
    }

    [Fact]
    public async Task A_closing_batch_waits_for_a_request_still_being_prepared()
    {
        // A 1 s window stretched to 8 s while a request is being prepared: the second row arrives after the window
        // (2 s) and still joins. Without the stretch the first would have left alone after 1 s.
        GenerationBatcher batcher = Start(maxBatchSize: 4, window: TimeSpan.FromSeconds(1), blockFirst: false);
        batcher.BeginPreparing();
        BatchRow first = await Row();
        batcher.Submit(first);
        await Task.Delay(TimeSpan.FromSeconds(2));

        BatchRow second = await Row();
        batcher.Submit(second);
        batcher.EndPreparing();

        Assert.Equal([first, second], await NextBatch());
    }

    [Fact]
    public async Task Status_counts_running_and_finished_batches_and_the_running_batches_key_value_cache()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4, keyValueBytes: 7);
        BatchingStatus running = batcher.Status();
        BatchRow a = await Row();
        BatchRow b = await Row();
        batcher.Submit(a);
        batcher.Submit(b);
        Assert.Equal(2, batcher.Status().WaitingRows);

        _releaseFirst.SetResult();
        Assert.Equal([a, b], await NextBatch());
        while (batcher.Status().CompletedBatches < 2)
        {
            await Task.Delay(10);
        }

        BatchingStatus done = batcher.Status();
        Assert.Equal((4, 1, 1, 7L), (running.MaxBatchSize, running.RunningBatches, running.GeneratingRows, running.KeyValueCacheBytes));
        Assert.Equal((0, 0, 0, 0L), (done.RunningBatches, done.GeneratingRows, done.WaitingRows, done.KeyValueCacheBytes));
        Assert.Equal((2L, 3L), (done.CompletedBatches, done.CompletedRows));
    }

    [Fact]
    public async Task Each_rows_padding_top_up_adds_to_the_reservation_of_its_batch()
    {
        // Every further row costs 100 more than its own reservation once padded: two joiners need 200 in all.
        _extraBytes = rows => (rows.Count - 1) * 100;
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow[] rows = [await Row(), await Row(), await Row()];
        foreach (BatchRow row in rows)
        {
            batcher.Submit(row);
        }

        _releaseFirst.SetResult();
        Assert.Equal(rows, await NextBatch());
        Assert.Equal(300 + 200, _observedReservedBytes);
        while (batcher.Status().CompletedBatches < 2)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, _gate.ReservedBytes);
    }

    [Fact]
    public async Task The_context_check_uses_the_longest_prompt_and_answer_of_the_whole_batch()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4, contextLength: 100);
        BatchRow head = await Row(new GenerationOptions { MaxNewTokens = 10 }, promptTokens: 10);
        BatchRow longPrompt = await Row(new GenerationOptions { MaxNewTokens = 10 }, promptTokens: 60);
        BatchRow longAnswer = await Row(new GenerationOptions { MaxNewTokens = 50 }, promptTokens: 10);
        batcher.Submit(head);
        batcher.Submit(longPrompt);
        batcher.Submit(longAnswer);

        // head + longPrompt fit (60 + 10); adding longAnswer would need 60 + 50.
        _releaseFirst.SetResult();
        Assert.Equal([head, longPrompt], await NextBatch());
        Assert.Equal([longAnswer], await NextBatch());
    }

    [Fact]
    public void Settings_outside_their_ranges_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationBatcher(0, 1, TimeSpan.Zero, 100, _ => throw new InvalidOperationException(), _gate, (_, _, _) => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationBatcher(1, 0, TimeSpan.Zero, 100, _ => throw new InvalidOperationException(), _gate, (_, _, _) => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationBatcher(1, 1, TimeSpan.FromSeconds(-1), 100, _ => throw new InvalidOperationException(), _gate, (_, _, _) => { }));
    }

    [Fact]
    public async Task A_caller_who_leaves_while_its_row_waits_gets_its_reservation_back_at_once()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        using CancellationTokenSource leave = new();
        BatchRow row = await Row(cancellationToken: leave.Token);
        batcher.Submit(row);
        long reserved = _gate.ReservedBytes;

        await leave.CancelAsync();
        await row.Finished.WaitAsync(s_patience);

        Assert.Equal(reserved - 100, _gate.ReservedBytes);
        Assert.Equal(0, batcher.Status().WaitingRows);
    }

    [Fact]
    public async Task Stopping_answers_waiting_rows_with_an_error_and_frees_their_reservations()
    {
        GenerationBatcher batcher = await StartBlocked(maxBatchSize: 4);
        BatchRow row = await Row();
        batcher.Submit(row);
        _releaseFirst.SetResult();
        _ = await NextBatch();
        BatchRow late = await Row();

        batcher.Dispose();
        batcher.Submit(late);

        await late.Finished.WaitAsync(s_patience);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _readers[late].Completion);
        Assert.Equal(0, _gate.ReservedBytes);
    }


    private GenerationBatcher Start(int maxBatchSize, TimeSpan window, bool blockFirst, int contextLength = 4096, long keyValueBytes = 0)
    {
        bool first = blockFirst;
        _batcher = new GenerationBatcher(
            generators: 1,
            maxBatchSize,
            window,
            contextLength,
            rows => new RequestMemoryEstimate { Fixed = rows.Sum(r => r.Lease.Bytes) + _extraBytes(rows) - keyValueBytes, ImageDecoding = 0, PixelTensors = 0, Vision = 0, Embeddings = 0, KeyValueCache = keyValueBytes, AttentionWorkspace = 0, PrefillActivations = 0, Logits = 0 },
            _gate,
            (rows, topUps, _) =>
            {
                if (first)
                {
                    first = false;
                    _releaseFirst.Task.GetAwaiter().GetResult();
                }
                else
                {
                    _observedReservedBytes = _gate.ReservedBytes;
                    _batches.Writer.TryWrite(rows);
                }

                foreach (BatchRow row in rows)
                {
                    row.Lease.Dispose();
                    row.Complete();
                }

                foreach (GenerationGate.Lease topUp in topUps)
                {
                    topUp.Dispose();
                }
            });
        return _batcher;
    }

    /// <summary>A batcher whose only generation thread is busy with a first row until the test lets go.</summary>
    private async Task<GenerationBatcher> StartBlocked(int maxBatchSize, int contextLength = 4096, long keyValueBytes = 0)
    {
        GenerationBatcher batcher = Start(maxBatchSize, TimeSpan.Zero, blockFirst: true, contextLength, keyValueBytes);
        batcher.Submit(await Row());
        while (batcher.Status().RunningBatches == 0)
        {
            await Task.Delay(10);
        }

        return batcher;
    }

    private async Task<IReadOnlyList<BatchRow>> NextBatch() => await _batches.Reader.ReadAsync().AsTask().WaitAsync(s_patience);

    private async Task<BatchRow> Row(GenerationOptions? options = null, int promptTokens = 10, CancellationToken cancellationToken = default)
    {
        GenerationGate.Lease lease = await _gate.EnterAsync(100, CancellationToken.None);
        Channel<GenerationUpdate> output = Channel.CreateUnbounded<GenerationUpdate>();
        PreparedPrompt prompt = BatchInputsTests.Prompt(new int[promptTokens], tiles: 0);
        BatchRow row = new(prompt, options ?? new GenerationOptions(), lease, TimeSpan.Zero, output.Writer, cancellationToken);
        _readers[row] = output.Reader;
        return row;
    }
}
