namespace Llava.Inference.Engine;

/// <summary>
/// Holds back streamed text that might be the start of a stop sequence, so a stop sequence is never shown to
/// the caller, and finds the first complete one.
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private readonly System.Text.StringBuilder _pending = new();

    /// <summary>Adds text; returns what is safe to emit now and whether a stop sequence completed.</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        _pending.Append(text);
        string pending = _pending.ToString();
        int stopAt = -1;
        foreach (string stop in stops)
        {
            int at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }

        if (stopAt >= 0)
        {
            _pending.Clear();
            return (pending[..stopAt], true);
        }

        // Keep the longest suffix that is a prefix of some stop sequence.
        int hold = 0;
        foreach (string stop in stops)
        {
            for (int n = Math.Min(stop.Length - 1, pending.Length); n > hold; n--)
            {
                if (pending.AsSpan(pending.Length - n).SequenceEqual(stop.AsSpan(0, n)))
                {
                    hold = n;
                    break;
                }
            }
        }

        _pending.Clear().Append(pending, pending.Length - hold, hold);
        return (pending[..^hold], false);
    }

    /// <summary>
    /// Whatever is held back when generation ends for another reason, plus the decoder's last text; a stop
    /// sequence that this last text completes still ends the answer before it.
    /// </summary>
    public string Flush(string tail = "")
    {
        (string emit, bool stopped) = Push(tail);
        if (stopped)
        {
            return emit;
        }

        string rest = emit + _pending.ToString();
        _pending.Clear();
        return rest;
    }
}
