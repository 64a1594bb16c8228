using System.Text;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Generation.Decoding;

namespace Llava.Inference.Batching;

/// <summary>
/// Turns one row's generated tokens into its answer: text deltas safe to show (whole characters, stop sequences
/// held back until they can no longer match), and the row's own end (end of turn, a stop sequence, its token
/// budget), independent of the other rows of its batch.
/// </summary>
internal sealed class AnswerAssembler(TokenizerDecoding decoding, IReadOnlySet<int> endOfTurnIds, IReadOnlyList<string> stopSequences, int maxNewTokens)
{
    private readonly AnswerTextDecoder _decoder = new(decoding);
    private readonly StopSequenceMatcher _stops = new(stopSequences);
    private readonly List<int> _generated = [];
    private readonly StringBuilder _text = new();

    public bool Finished { get; private set; }

    public FinishReason Reason { get; private set; } = FinishReason.Length;

    public IReadOnlyList<int> Generated => _generated;

    /// <summary>Adds one token; returns the text it makes safe to show (often empty).</summary>
    public string Push(int token)
    {
        if (Finished)
        {
            throw new InvalidOperationException("The answer has already ended.");
        }

        _generated.Add(token);
        if (endOfTurnIds.Contains(token))
        {
            End(FinishReason.EndOfTurn);
            return "";
        }

        (string emit, bool stopped) = _stops.Push(_decoder.Decode(token));
        _text.Append(emit);
        if (stopped)
        {
            End(FinishReason.StopSequence);
        }
        else if (_generated.Count >= maxNewTokens)
        {
            End(FinishReason.Length);
        }

        return emit;
    }

    /// <summary>
    /// Ends the answer (if the generator ended it first, that was a constraint's grammar completing: an end of turn)
    /// and returns the text still held back: incomplete characters as U+FFFD, a partial stop sequence that never
    /// completed.
    /// </summary>
    public string Complete()
    {
        if (!Finished)
        {
            End(_generated.Count < maxNewTokens ? FinishReason.EndOfTurn : FinishReason.Length);
        }

        if (Reason == FinishReason.StopSequence)
        {
            return "";
        }

        string rest = _stops.Flush(_decoder.Flush());
        _text.Append(rest);
        return rest;
    }

    public string Text => _text.ToString();

    private void End(FinishReason reason)
    {
        Finished = true;
        Reason = reason;
    }
}
