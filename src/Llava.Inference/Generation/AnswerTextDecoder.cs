using System.Text;
using Llava.Inference.Generation.Decoding;

namespace Llava.Inference.Generation;

/// <summary>
/// Turns generated token ids into answer text exactly as transformers' <c>tokenizer.decode(ids,
/// skip_special_tokens=True)</c> does (Hugging Face tokenizers' decoder chain from the model's tokenizer.json),
/// one id at a time: each call returns the text that has become final, so the concatenation of every delta plus
/// <see cref="Flush"/> equals decoding all the ids at once. Nothing is dropped: byte-fallback runs that are not
/// valid UTF-8 become one U+FFFD per byte, as in transformers. One instance per answer; not thread-safe.
/// </summary>
/// <remarks>
/// Text is held back only where a later token can still change it: a run of byte pieces (its validity is known
/// when it ends) and, for decoders that strip trailing characters, a trailing run of those characters.
/// </remarks>
public sealed class AnswerTextDecoder
{
    private readonly TokenizerDecoding _decoding;
    private readonly IPieceStage[] _stages;
    private List<string> _current = [];
    private List<string> _next = [];

    public AnswerTextDecoder(TokenizerDecoding decoding)
    {
        ArgumentNullException.ThrowIfNull(decoding);
        _decoding = decoding;
        _stages = decoding.CreateStages();
    }

    /// <summary>Decodes a whole id sequence at once (what transformers' decode returns).</summary>
    public static string DecodeAll(TokenizerDecoding decoding, ReadOnlySpan<int> tokenIds)
    {
        AnswerTextDecoder decoder = new(decoding);
        StringBuilder text = new();
        foreach (int id in tokenIds)
        {
            text.Append(decoder.Decode(id));
        }

        return text.Append(decoder.Flush()).ToString();
    }

    /// <summary>Adds the next generated id; returns the text that became final (often empty for a byte piece).</summary>
    public string Decode(int tokenId)
    {
        string? piece = _decoding.PieceOf(tokenId);
        if (piece is null)
        {
            return "";
        }

        _current.Clear();
        _current.Add(piece);
        foreach (IPieceStage stage in _stages)
        {
            _next.Clear();
            foreach (string item in _current)
            {
                stage.Push(item, _next);
            }

            (_current, _next) = (_next, _current);
        }

        return string.Concat(_current);
    }

    /// <summary>The answer ended: returns what was held back (an unfinished byte run becomes U+FFFDs).</summary>
    public string Flush()
    {
        _current.Clear();
        foreach (IPieceStage stage in _stages)
        {
            _next.Clear();
            foreach (string item in _current)
            {
                stage.Push(item, _next);
            }

            stage.Flush(_next);
            (_current, _next) = (_next, _current);
        }

        return string.Concat(_current);
    }
}
