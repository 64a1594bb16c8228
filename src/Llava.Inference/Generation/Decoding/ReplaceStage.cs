namespace Llava.Inference.Generation.Decoding;

/// <summary>tokenizers' <c>Replace</c> decoder with a literal pattern (Llama's "▁" to " ").</summary>
internal sealed class ReplaceStage(string pattern, string content) : IPieceStage
{
    public void Push(string piece, List<string> output) => output.Add(piece.Replace(pattern, content, StringComparison.Ordinal));

    public void Flush(List<string> output)
    {
    }
}
