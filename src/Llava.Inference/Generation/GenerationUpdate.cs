namespace Llava.Inference.Generation;

/// <summary>
/// One streamed piece of an answer: a text delta (always whole UTF-8 characters), and on the last update the
/// finished result.
/// </summary>
public sealed record GenerationUpdate(string Text, int? TokenId, GenerationResult? Completion)
{
    public bool IsFinal => Completion is not null;
}
