namespace Llava.Inference.Generation.Decoding;

/// <summary>A tokenizer.json without a decoder: tokenizers joins the pieces with single spaces.</summary>
internal sealed class JoinWithSpaceStage : IPieceStage
{
    private bool _first = true;

    public void Push(string piece, List<string> output)
    {
        output.Add(_first ? piece : " " + piece);
        _first = false;
    }

    public void Flush(List<string> output)
    {
    }
}
