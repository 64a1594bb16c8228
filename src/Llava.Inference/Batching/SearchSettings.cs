using Llava.Inference.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.Inference.Batching;

/// <summary>
/// The search options one GenAI generator applies to every row it runs: requests share a batch only when these
/// are equal. Greedy requests differ only in their repetition penalty; sampling requests also by temperature, top-p
/// and top-k.
/// </summary>
internal sealed record SearchSettings(bool Sample, float Temperature, float TopP, int TopK, float? RepetitionPenalty, ulong? Seed, OutputConstraint? Constraint)
{
    public static SearchSettings For(GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsSampling
            ? new SearchSettings(true, options.Temperature!.Value, options.TopP ?? 1f, options.TopK ?? 0, options.RepetitionPenalty, options.Seed, options.Constraint)
            : new SearchSettings(false, 0f, 1f, 0, options.RepetitionPenalty, null, options.Constraint);
    }

    /// <summary>
    /// Seeded sampling must answer the same whatever else is running (one random stream serves a whole batch), and a
    /// constraint's grammar belongs to its generator: both run in a batch of their own.
    /// </summary>
    public bool Shareable => Constraint is null && !(Sample && Seed is not null);

    public void ApplyTo(GeneratorParams parameters, int batchSize, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.SetSearchOption("batch_size", batchSize);
        parameters.SetSearchOption("max_length", maxLength);
        parameters.SetSearchOption("do_sample", Sample);
        if (Sample)
        {
            parameters.SetSearchOption("temperature", Temperature);
            parameters.SetSearchOption("top_p", TopP);
            parameters.SetSearchOption("top_k", TopK);
            if (Seed is ulong seed)
            {
                parameters.SetSearchOption("random_seed", seed % int.MaxValue);
            }
        }

        if (RepetitionPenalty is float penalty)
        {
            parameters.SetSearchOption("repetition_penalty", penalty);
        }

        if (Constraint is { } constraint)
        {
            parameters.SetGuidance(constraint.Kind, constraint.Definition, true);
        }
    }
}
