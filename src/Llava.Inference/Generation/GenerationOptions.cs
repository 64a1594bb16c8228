using Llava.Inference.Errors;

namespace Llava.Inference.Generation;

/// <summary>How to decode an answer. Defaults are greedy decoding, as LLaVA's benchmarks use.</summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on generated tokens.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Sampling temperature; null or 0 means greedy decoding.</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling threshold (with a temperature).</summary>
    public float? TopP { get; init; }

    /// <summary>Sample only among the k most likely tokens (with a temperature).</summary>
    public int? TopK { get; init; }

    /// <summary>Penalty on tokens already generated (1 = none).</summary>
    public float? RepetitionPenalty { get; init; }

    /// <summary>Seed for reproducible sampling.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Generation stops when the text ends with one of these; it is not included in the answer.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Constrain the answer to a JSON schema, regex or grammar.</summary>
    public OutputConstraint? Constraint { get; init; }

    public bool IsSampling => Temperature is > 0;

    /// <summary>
    /// Throws <see cref="InvalidParameterException"/> naming the first invalid value. NaN and infinities are
    /// refused explicitly: every range test below is false for NaN, so a plain range check would let it through.
    /// </summary>
    public void Validate()
    {
        if (MaxNewTokens < 1)
        {
            throw new InvalidParameterException(GenerationParameterNames.MaxTokens, $"max_tokens must be at least 1; got {MaxNewTokens}.");
        }

        if (Temperature is float temperature && !(temperature is >= 0 and <= 10))
        {
            throw new InvalidParameterException(GenerationParameterNames.Temperature, $"temperature must be a number between 0 and 10; got {temperature}.");
        }

        if (TopP is float topP && !(topP is > 0 and <= 1))
        {
            throw new InvalidParameterException(GenerationParameterNames.TopP, $"top_p must be a number in (0, 1]; got {topP}.");
        }

        if (TopK is < 1)
        {
            throw new InvalidParameterException(GenerationParameterNames.TopK, $"top_k must be at least 1; got {TopK}.");
        }

        if (RepetitionPenalty is float penalty && !(penalty > 0 && float.IsFinite(penalty)))
        {
            throw new InvalidParameterException(GenerationParameterNames.RepetitionPenalty, $"repetition_penalty must be a positive finite number; got {penalty}.");
        }

        if (StopSequences is null || StopSequences.Any(string.IsNullOrEmpty))
        {
            throw new InvalidParameterException(GenerationParameterNames.Stop, "stop sequences must not be empty strings.");
        }
    }

    /// <summary>
    /// The checks that need the model: <c>top_k</c> within the vocabulary and a constraint that parses. The answer
    /// length against the context is the engine's <see cref="PromptTooLongException"/>, computed without overflow.
    /// </summary>
    public void Validate(int vocabularySize)
    {
        Validate();
        if (TopK > vocabularySize)
        {
            throw new InvalidParameterException(GenerationParameterNames.TopK, $"top_k must be at most the vocabulary size {vocabularySize}; got {TopK}.");
        }

        Constraint?.Validate();
    }
}
