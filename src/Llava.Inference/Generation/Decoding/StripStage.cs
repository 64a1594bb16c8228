namespace Llava.Inference.Generation.Decoding;

/// <summary>
/// tokenizers' <c>Strip</c> decoder: removes up to <c>start</c> leading and <c>stop</c> trailing <c>content</c>
/// characters of each piece. After a <c>Fuse</c> the piece is the whole answer, so the leading ones are the
/// answer's first characters (Llama's decoder drops the space the first word's "▁" gave it) and the trailing
/// ones are held until more text follows or the answer ends.
/// </summary>
internal sealed class StripStage(char content, int start, int stop, bool wholeAnswer) : IPieceStage
{
    private readonly int _start = start;
    private int _leadingLeft = start;
    private int _trailingHeld;

    public void Push(string piece, List<string> output)
    {
        if (!wholeAnswer)
        {
            output.Add(StripPiece(piece));
            return;
        }

        ReadOnlySpan<char> text = piece;
        while (_leadingLeft > 0 && text.Length > 0 && text[0] == content)
        {
            text = text[1..];
            _leadingLeft--;
        }

        if (text.Length == 0)
        {
            return;
        }

        _leadingLeft = 0;
        if (stop == 0)
        {
            output.Add(text.ToString());
            return;
        }

        int trailing = text.Length - text.TrimEnd(content).Length;
        if (trailing < text.Length)
        {
            // Text other than the content character: everything held so far is now inside the answer.
            output.Add(new string(content, _trailingHeld) + text[..^trailing].ToString());
            _trailingHeld = 0;
        }

        _trailingHeld += trailing;
    }

    public void Flush(List<string> output)
    {
        if (_trailingHeld > stop)
        {
            output.Add(new string(content, _trailingHeld - stop));
        }

        _trailingHeld = 0;
    }

    private string StripPiece(string piece)
    {
        int from = 0;
        while (from < _start && from < piece.Length && piece[from] == content)
        {
            from++;
        }

        int to = piece.Length;
        while (piece.Length - to < stop && to > from && piece[to - 1] == content)
        {
            to--;
        }

        return piece[from..to];
    }
}
