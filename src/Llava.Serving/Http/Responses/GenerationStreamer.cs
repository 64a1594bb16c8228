using Llava.Inference.Generation;

namespace Llava.Serving.Http.Responses;

/// <summary>
/// Streams a generation as Server-Sent Events. The status is held back until the first update, or until one heartbeat
/// interval has passed: a request refused before generation starts (a bad image, a prompt too long, a full engine)
/// still gets its own status and problem document, while a long wait for the first token is covered by heartbeats.
/// </summary>
internal static class GenerationStreamer
{
    public static async Task<GenerationResult> StreamAsync(SseSession session, ISseFormat format, IAsyncEnumerable<GenerationUpdate> generation, TimeSpan commitAfter, CancellationToken cancellationToken)
    {
        IAsyncEnumerator<GenerationUpdate> updates = generation.GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        try
        {
            pending = updates.MoveNextAsync().AsTask();
            if (!pending.IsCompleted)
            {
                using CancellationTokenSource stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task delay = Task.Delay(commitAfter, stopDelay.Token);
                Task first = await Task.WhenAny(pending, delay);
                await stopDelay.CancelAsync();
                if (first != pending)
                {
                    await BeginAsync(session, format, cancellationToken);
                }
            }

            bool more = await pending;
            pending = null;
            if (!session.IsStarted)
            {
                await BeginAsync(session, format, cancellationToken);
            }

            GenerationResult? result = null;
            while (more)
            {
                GenerationUpdate update = updates.Current;
                if (update.Completion is { } completion)
                {
                    result = completion;
                }
                else if (update.Text.Length > 0)
                {
                    await format.WriteDeltaAsync(session, update.Text, cancellationToken);
                }

                more = await updates.MoveNextAsync();
            }

            if (result is null)
            {
                throw new InvalidOperationException("The generation stream ended without a result.");
            }

            await format.WriteDoneAsync(session, result, cancellationToken);
            return result;
        }
        finally
        {
            if (pending is not null)
            {
                // An iterator must not be disposed while a MoveNext is running: wait for it (its outcome no longer matters).
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // Stops the generation at its next token if it is still running, and frees its slot.
            await updates.DisposeAsync();
        }
    }

    private static async Task BeginAsync(SseSession session, ISseFormat format, CancellationToken cancellationToken)
    {
        await session.StartAsync(cancellationToken);
        await format.WriteStartAsync(session, cancellationToken);
    }
}
