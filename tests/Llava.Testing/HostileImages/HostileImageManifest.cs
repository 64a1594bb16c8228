using System.Text.Json;

namespace Llava.Testing.HostileImages;

/// <summary>Reads and writes <c>tests/fixtures/hostile-images/manifest.json</c>: a JSON array, one entry per file.</summary>
public static class HostileImageManifest
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };

    /// <summary>The committed corpus folder.</summary>
    public static string Directory => RepositoryPaths.Fixture("hostile-images");

    public static IReadOnlyList<HostileImageManifestEntry> Read(string directory)
    {
        string json = File.ReadAllText(Path.Combine(directory, FileName));
        return JsonSerializer.Deserialize<List<HostileImageManifestEntry>>(json, s_options)
            ?? throw new InvalidDataException($"{FileName} in {directory} is empty.");
    }

    /// <summary>
    /// Writes the corpus and its manifest, keeping the Pillow verdict already recorded for a file whose bytes did not
    /// change (the verdicts come from <c>pillow_verdicts.py</c>, which needs Python and Pillow).
    /// </summary>
    public static void Write(string directory, IReadOnlyList<HostileImage> images)
    {
        System.IO.Directory.CreateDirectory(directory);
        Dictionary<string, string?> pillow = [];
        if (File.Exists(Path.Combine(directory, FileName)))
        {
            foreach (HostileImageManifestEntry old in Read(directory))
            {
                string path = Path.Combine(directory, old.File);
                if (File.Exists(path))
                {
                    pillow[$"{old.File}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}"] = old.Pillow;
                }
            }
        }

        foreach (string stale in System.IO.Directory.EnumerateFiles(directory).Where(f => Path.GetFileName(f) is not (FileName or "README.md" or "pillow_verdicts.py")))
        {
            File.Delete(stale);
        }

        List<HostileImageManifestEntry> entries = [];
        foreach (HostileImage image in images)
        {
            File.WriteAllBytes(Path.Combine(directory, image.File), image.Bytes);
            pillow.TryGetValue($"{image.File}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(image.Bytes))}", out string? verdict);
            entries.Add(new HostileImageManifestEntry(image.File, image.Class, image.Expect, verdict));
        }

        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(entries, s_options) + "\n");
    }
}
