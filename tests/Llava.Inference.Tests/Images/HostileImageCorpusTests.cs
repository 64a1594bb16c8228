using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Inference.Tests.Images;

/// <summary>
/// The committed hostile-image corpus (tests/fixtures/hostile-images) through the loader with its default limits:
/// every file gets exactly the outcome its manifest names, twice, and nothing but <see cref="ImageRejectedException"/>
/// comes out. The same manifest drives the HTTP and CLI corpus runs, so a change of outcome here is a change of
/// contract there.
/// </summary>
public sealed class HostileImageCorpusTests
{
    private static readonly ImageLoader s_loader = new();

    private static readonly Lazy<IReadOnlyList<HostileImageManifestEntry>> s_manifest = new(() => HostileImageManifest.Read(HostileImageManifest.Directory));

    private static string Outcome(byte[] bytes)
    {
        try
        {
            using DecodedImage image = s_loader.Load(bytes);
            Assert.True(image.OriginalWidth > 0 && image.OriginalHeight > 0);
            return HostileImageOutcome.Accepted;
        }
        catch (ImageRejectedException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return e.Reason switch
            {
                ImageRejectionReason.Corrupt => HostileImageOutcome.Corrupt,
                ImageRejectionReason.Unsupported => HostileImageOutcome.Unsupported,
                ImageRejectionReason.TooLarge => HostileImageOutcome.TooLarge,
                ImageRejectionReason.Empty => HostileImageOutcome.Empty,
                _ => throw new InvalidOperationException($"Unknown reason {e.Reason}."),
            };
        }
    }

    [Fact]
    public void Every_corpus_file_gets_its_expected_outcome_the_same_way_twice()
    {
        List<string> failures = [];
        foreach (HostileImageManifestEntry entry in s_manifest.Value)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(HostileImageManifest.Directory, entry.File));
            string first;
            string second;
            try
            {
                first = Outcome(bytes);
                second = Outcome(bytes);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{entry.File}: {e.GetType().FullName} escaped the loader: {e.Message}");
                continue;
            }

            if (first != entry.Expect || second != first)
            {
                failures.Add($"{entry.File}: expected {entry.Expect}, got {first} then {second}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void The_corpus_is_large_varied_and_matches_its_generator()
    {
        IReadOnlyList<HostileImageManifestEntry> manifest = s_manifest.Value;
        Assert.True(manifest.Count >= 300, $"{manifest.Count} files");
        Assert.Equal(
            [HostileImageOutcome.Accepted, HostileImageOutcome.Corrupt, HostileImageOutcome.Empty, HostileImageOutcome.TooLarge, HostileImageOutcome.Unsupported],
            manifest.Select(e => e.Expect).Distinct().Order(StringComparer.Ordinal));

        // Every file listed exists and every file present is listed (besides the manifest and its tooling).
        string[] present = [.. Directory.EnumerateFiles(HostileImageManifest.Directory).Select(Path.GetFileName).Where(f => f is not ("manifest.json" or "README.md" or "pillow_verdicts.py"))!];
        Assert.Equal(manifest.Select(e => e.File).Order(StringComparer.Ordinal), present.Order(StringComparer.Ordinal));

        // The committed manifest is what the generator says (names, classes, expectations): nobody edited it by hand.
        IReadOnlyList<HostileImage> generated = HostileImageCorpus.Generate();
        Assert.Equal(generated.Select(g => (g.File, g.Class, g.Expect)), manifest.Select(e => (e.File, e.Class, e.Expect)));
        Assert.True(present.Sum(f => new FileInfo(Path.Combine(HostileImageManifest.Directory, f)).Length) < 5_000_000);
    }

    [Fact]
    public void Damaged_files_that_Pillow_refuses_are_refused_and_valid_files_it_accepts_are_accepted()
    {
        IReadOnlyList<HostileImageManifestEntry> manifest = s_manifest.Value;
        Assert.All(manifest, e => Assert.NotNull(e.Pillow));

        // At least as strict as Pillow: the only files Pillow refuses that we accept are the metadata bombs we skip
        // (Pillow refuses text chunks that inflate past 1 MB; we never inflate them) and a BMP whose colour masks
        // overlap (legal, but a layout Pillow does not implement).
        string[] acceptedDespitePillow = [.. manifest.Where(e => e.Pillow == "refused" && e.Expect == HostileImageOutcome.Accepted).Select(e => e.Class).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(["bmp-unusual-bitfields", "png-text-bomb"], acceptedDespitePillow);

        // At least as permissive: every valid file (every variant, Adam7 with empty passes, split IDATs) that Pillow accepts is accepted.
        Assert.All(
            manifest.Where(e => e.Class.StartsWith("valid", StringComparison.Ordinal) && e.Pillow == "accepted"),
            e => Assert.Equal(HostileImageOutcome.Accepted, e.Expect));
    }
}
