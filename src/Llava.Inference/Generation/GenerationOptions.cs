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

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1)
        {
            throw new ArgumentException($"max new tokens must be at least 1; got {MaxNewTokens}.");
        }

        if (Temperature is < 0 or > 10)
        {
            throw new ArgumentException($"temperature must be between 0 and 10; got {Temperature}.");
        }

        if (TopP is <= 0 or > 1)
        {
            throw new ArgumentException($"top_p must be in (0, 1]; got {TopP}.");
        }

        if (TopK is < 1)
        {
            throw new ArgumentException($"top_k must be at least 1; got {TopK}.");
        }

        if (RepetitionPenalty is <= 0)
        {
            throw new ArgumentException($"repetition penalty must be positive; got {RepetitionPenalty}.");
        }

        if (StopSequences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("stop sequences must not be empty strings.");
        }
    }
}
