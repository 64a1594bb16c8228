using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Llava.Inference.Generation.Decoding;

/// <summary>
/// tokenizers' <c>ByteFallback</c> decoder: a run of <c>&lt;0xHH&gt;</c> pieces becomes the UTF-8 text of its bytes
/// when the whole run is valid UTF-8, else one U+FFFD per byte (not Python's "replace" rule: HF tokenizers
/// decodes <c>&lt;0x52&gt; &lt;0xF3&gt;</c> as "\uFFFD\uFFFD", and so must we). Which of the two a run becomes is only known
/// when the run ends, so the run is held until the next other piece or the end of the answer.
/// </summary>
internal sealed class ByteFallbackStage : IPieceStage
{
    private readonly List<byte> _run = [];

    public void Push(string piece, List<string> output)
    {
        if (TryParseByte(piece, out byte value))
        {
            _run.Add(value);
            return;
        }

        Flush(output);
        output.Add(piece);
    }

    public void Flush(List<string> output)
    {
        if (_run.Count == 0)
        {
            return;
        }

        ReadOnlySpan<byte> bytes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_run);
        if (Utf8.IsValid(bytes))
        {
            output.Add(Encoding.UTF8.GetString(bytes));
        }
        else
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                output.Add("\uFFFD");
            }
        }

        _run.Clear();
    }

    /// <summary>Exactly six characters <c>&lt;0xHH&gt;</c>, hex of either case, as tokenizers matches them.</summary>
    internal static bool TryParseByte(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6
            && piece.StartsWith("<0x", StringComparison.Ordinal)
            && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
