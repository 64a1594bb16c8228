using Xunit;

namespace Llava.Testing;

/// <summary>Error measures used to compare our outputs with transformers' and one precision with another (tests and benchmarks).</summary>
public static class Tolerance
{
    /// <summary>The fp32 bound the model-builder issue sets: 1e-4 relative to the largest reference magnitude.</summary>
    public const double Fp32Relative = 1e-4;

    /// <summary>Greedy steps whose HF top-1/top-2 margin is below this are near-ties: float noise may flip them.</summary>
    public const double NearTie = 1e-3;

    /// <summary>max |ours - ref| / max |ref|.</summary>
    public static double Relative(ReadOnlySpan<float> ours, ReadOnlySpan<float> reference)
    {
        Assert.Equal(reference.Length, ours.Length);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(ours[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }

        return diff / Math.Max(scale, 1e-30);
    }

    /// <summary>Compares a logits row with HF's summary: probe values and the top-10 values, relative to the top value.</summary>
    public static double LogitsRowError(ReadOnlySpan<float> ours, Llava.Testing.Golden.LogitsRow reference, IReadOnlyList<int> probeIds)
    {
        double scale = reference.Top.Max(t => Math.Abs(t.Value));
        double diff = 0;
        for (int i = 0; i < reference.AtProbeIds.Count; i++)
        {
            diff = Math.Max(diff, Math.Abs(ours[probeIds[i]] - reference.AtProbeIds[i]));
        }

        foreach ((int id, float value) in reference.Top)
        {
            diff = Math.Max(diff, Math.Abs(ours[id] - value));
        }

        return diff / scale;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
