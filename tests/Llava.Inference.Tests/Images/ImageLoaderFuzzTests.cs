using System.Diagnostics;
using System.Globalization;
using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Inference.Tests.Images;

/// <summary>
/// A CI-sized slice of the loader fuzzing (the long runs use tests/Llava.Fuzzing, see docs/security.md): mutants of
/// the hostile-image corpus must either load or be refused with <see cref="ImageRejectedException"/>, and the same
/// bytes must get the same answer twice. LLAVA_FUZZ_ITERATIONS raises the count for a longer run by hand.
/// </summary>
public sealed class ImageLoaderFuzzTests
{
    [Fact]
    public void Mutated_corpus_files_are_loaded_or_refused_with_a_typed_rejection_the_same_way_twice()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("LLAVA_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 1500;
        byte[][] seeds = [.. HostileImageManifest.Read(HostileImageManifest.Directory)
            .Select(e => File.ReadAllBytes(Path.Combine(HostileImageManifest.Directory, e.File)))
            .Where(b => b.Length is > 0 and < 64 * 1024)];
        ImageLoader loader = new();
        ImageMutator mutator = new(20261206);
        List<string> failures = [];
        int accepted = 0;
        Stopwatch watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = mutator.Mutate(seeds[mutator.Next(seeds.Length)], seeds[mutator.Next(seeds.Length)]);
            string first = Outcome(loader, input);
            string second = Outcome(loader, input);
            accepted += first == "accepted" ? 1 : 0;
            if (first.StartsWith("escaped", StringComparison.Ordinal) || first != second)
            {
                failures.Add($"iteration {i} ({input.Length} bytes, starts {Convert.ToHexString(input.AsSpan(0, Math.Min(16, input.Length)))}): {first} / {second}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        // The mutants must reach the decoders, not all stop at the door.
        Assert.InRange(accepted, iterations / 50, iterations - 1);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(5), $"{iterations} iterations took {watch.Elapsed}.");
    }

    private static string Outcome(ImageLoader loader, byte[] input)
    {
        try
        {
            using DecodedImage image = loader.Load(input);
            return "accepted";
        }
        catch (ImageRejectedException e)
        {
            return e.Reason.ToString();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else escaping the loader is the failure this test exists to catch; it is reported with the input.
            return $"escaped {e.GetType().FullName}: {e.Message}";
        }
    }
}
