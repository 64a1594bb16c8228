using System.Diagnostics;
using System.Globalization;
using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Fuzzing;

/// <summary>
/// Mutates corpus files and runs each mutant through <see cref="ImageLoader"/> twice. A finding is any exception
/// other than <see cref="ImageRejectedException"/>, two different answers for the same bytes, a call slower than
/// <see cref="SlowCall"/>, or a call that allocates more than <see cref="MaxAllocatedBytes"/> of managed memory;
/// each is saved under the output folder with its seed and iteration so it can be replayed.
/// </summary>
internal static class LoaderFuzzer
{
    private static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(5);

    /// <summary>The default limits allow a 40 MP 16-bit frame (~320 MB) plus the decoded RGB; a small mutant never needs more.</summary>
    private const long MaxAllocatedBytes = 1L << 30;

    public static int Run(string directory, TimeSpan duration, int seed, string outputDirectory, TextWriter output)
    {
        // Seeds: every corpus file under 64 KiB (the large bombs would make each iteration slow, not deeper).
        byte[][] seeds = [.. HostileImageManifest.Read(directory)
            .Select(e => File.ReadAllBytes(Path.Combine(directory, e.File)))
            .Where(b => b.Length is > 0 and < 64 * 1024)];
        ImageLoader loader = new();
        ImageMutator mutator = new((ulong)seed);
        Dictionary<string, int> outcomes = [];
        Dictionary<string, int> findings = [];
        Stopwatch total = Stopwatch.StartNew();
        long iterations = 0;
        long slowest = 0;
        long mostAllocated = 0;
        long peakWorkingSet = 0;
        Directory.CreateDirectory(outputDirectory);
        output.WriteLine($"fuzzing {seeds.Length} seeds from {directory} for {duration}, seed {seed}; findings go to {outputDirectory}");

        while (total.Elapsed < duration)
        {
            iterations++;
            byte[] input = mutator.Mutate(seeds[mutator.Next(seeds.Length)], seeds[mutator.Next(seeds.Length)]);
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            Stopwatch call = Stopwatch.StartNew();
            string first = Outcome(loader, input, out Exception? escaped);
            call.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            string second = escaped is null ? Outcome(loader, input, out escaped) : first;

            string? finding = escaped is not null ? $"escaped-{escaped.GetType().Name}"
                : first != second ? $"nondeterministic-{first}-{second}"
                : call.Elapsed > SlowCall ? "slow"
                : allocated > MaxAllocatedBytes ? "memory"
                : null;
            outcomes[first] = outcomes.GetValueOrDefault(first) + 1;
            slowest = Math.Max(slowest, call.ElapsedMilliseconds);
            mostAllocated = Math.Max(mostAllocated, allocated);
            if (finding is not null)
            {
                int seen = findings[finding] = findings.GetValueOrDefault(finding) + 1;
                if (seen <= 20)
                {
                    string name = $"{finding}-{seed}-{iterations}.bin";
                    File.WriteAllBytes(Path.Combine(outputDirectory, name), input);
                    output.WriteLine($"FINDING {finding} at iteration {iterations}: {name} ({call.ElapsedMilliseconds} ms, {allocated / (1024 * 1024)} MiB) {escaped?.GetType().FullName}: {escaped?.Message}");
                    if (escaped?.StackTrace is { } stack)
                    {
                        output.WriteLine(stack);
                    }
                }
            }

            if (iterations % 5000 == 0)
            {
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                output.WriteLine($"{iterations} iterations, {total.Elapsed:hh\\:mm\\:ss}, {iterations / total.Elapsed.TotalSeconds:0} per s, working set {Environment.WorkingSet / (1024 * 1024)} MiB, findings {findings.Values.Sum()}");
            }
        }

        peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: {iterations} iterations in {total.Elapsed.TotalMinutes:0.0} min ({iterations / total.Elapsed.TotalSeconds:0} per s), seed {seed}"));
        output.WriteLine($"outcomes: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"slowest call {slowest} ms; most managed bytes allocated by one call {mostAllocated / (1024 * 1024)} MiB; peak working set {peakWorkingSet / (1024 * 1024)} MiB");
        output.WriteLine($"findings: {(findings.Count == 0 ? "none" : string.Join(", ", findings.Select(f => $"{f.Key} {f.Value}")))}");
        return findings.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs saved findings again (after a fix): prints each file's outcome twice; fails if anything still escapes or differs.</summary>
    public static int Replay(string directory, TextWriter output)
    {
        ImageLoader loader = new();
        int bad = 0;
        foreach (string file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            byte[] input = File.ReadAllBytes(file);
            Stopwatch call = Stopwatch.StartNew();
            string first = Outcome(loader, input, out Exception? escaped);
            string second = Outcome(loader, input, out Exception? escapedAgain);
            bool ok = escaped is null && escapedAgain is null && first == second;
            bad += ok ? 0 : 1;
            output.WriteLine($"{(ok ? "ok  " : "BAD ")} {Path.GetFileName(file)}: {first}/{second} {call.ElapsedMilliseconds} ms {escaped?.GetType().Name}");
        }

        return bad == 0 ? 0 : 1;
    }

    private static string Outcome(ImageLoader loader, byte[] input, out Exception? escaped)
    {
        escaped = null;
        try
        {
            return RejectionOutcome.Of(loader, input);
        }
        catch (Exception e) when (e is not ImageRejectedException)
        {
            // The finding this tool exists to catch: anything else escaping the loader.
            escaped = e;
            return "escaped";
        }
    }
}
