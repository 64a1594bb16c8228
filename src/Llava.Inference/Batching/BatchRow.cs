using System.Diagnostics;
using System.Threading.Channels;
using Llava.Inference.Concurrency;
using Llava.Inference.Engine;
using Llava.Inference.Generation;

namespace Llava.Inference.Batching;

/// <summary>
/// One prepared request waiting for, or running in, a batch. From <see cref="GenerationBatcher.Submit"/> on, the
/// batcher owns its lease and its output: it writes the row's updates, completes the output exactly once, and
/// releases the lease when the generator holding the row's KV cache is gone.
/// </summary>
internal sealed class BatchRow
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completed;

    public BatchRow(PreparedPrompt prompt, GenerationOptions options, GenerationGate.Lease lease, TimeSpan queueWait, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
    {
        Prompt = prompt;
        Options = options;
        Lease = lease;
        QueueWait = queueWait;
        Output = output;
        CancellationToken = cancellationToken;
        Settings = SearchSettings.For(options);
        ReadyAt = Stopwatch.GetTimestamp();
    }

    public PreparedPrompt Prompt { get; }

    public GenerationOptions Options { get; }

    public SearchSettings Settings { get; }

    public GenerationGate.Lease Lease { get; }

    /// <summary>Time spent waiting for admission before the row was prepared.</summary>
    public TimeSpan QueueWait { get; }

    /// <summary>When the row was ready to join a batch (its images prepared).</summary>
    public long ReadyAt { get; }

    public ChannelWriter<GenerationUpdate> Output { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Completes when the batcher will touch this row's output no more.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Ends the row's output once: with an error, or (null) after its last update.</summary>
    public void Complete(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        Output.TryComplete(error);
        _finished.TrySetResult();
    }
}
