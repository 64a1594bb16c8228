namespace Llava.TinyCheckpoints;

/// <summary>
/// xoshiro256** seeded through splitmix64, with Box-Muller normals: our own generator so tiny checkpoints are
/// byte-identical across .NET versions (System.Random's algorithm is not a compatibility promise).
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double? _spareNormal;

    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in (0, 1]: never 0, so the logarithm in Box-Muller is finite.</summary>
    public double NextUnitOpenAtZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller; the second value of each pair is kept for the next call).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double spare)
        {
            _spareNormal = null;
            return spare;
        }

        double radius = Math.Sqrt(-2.0 * Math.Log(NextUnitOpenAtZero()));
        double angle = 2.0 * Math.PI * NextUnitOpenAtZero();
        _spareNormal = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
