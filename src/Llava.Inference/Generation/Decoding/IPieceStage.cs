namespace Llava.Inference.Generation.Decoding;

/// <summary>
/// One step of a tokenizer.json decoder, run incrementally: pieces go in one at a time and come out as soon as
/// the step knows their final form. Steps after a <c>Fuse</c> see the whole answer as one piece arriving in chunks.
/// </summary>
internal interface IPieceStage
{
    /// <summary>Takes the next piece (or chunk) and appends whatever is final to <paramref name="output"/>.</summary>
    void Push(string piece, List<string> output);

    /// <summary>The answer ended: appends whatever was held back.</summary>
    void Flush(List<string> output);
}
