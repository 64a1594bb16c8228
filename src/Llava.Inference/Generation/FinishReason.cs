namespace Llava.Inference.Generation;

/// <summary>Why generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model produced its end-of-turn token.</summary>
    EndOfTurn,

    /// <summary>The text reached one of the caller's stop sequences.</summary>
    StopSequence,

    /// <summary>The max-new-tokens budget (or the context) ran out.</summary>
    Length,
}
