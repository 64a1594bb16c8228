using System.Text.Json;

namespace Llava.Testing.Abuse;

/// <summary>
/// The crafted image corpus the decoder must survive: <c>tests/fixtures/hostile-images/manifest.json</c>, an array of
/// <c>{"file", "class", "expect", "pillow"}</c>. A missing manifest or file fails loudly.
/// </summary>
public static class HostileImageCorpus
{
    public static string Folder => RepositoryPaths.Fixture("hostile-images");

    public static IReadOnlyList<HostileImage> Load()
    {
        string manifest = System.IO.Path.Combine(Folder, "manifest.json");
        if (!File.Exists(manifest))
        {
            throw new FileNotFoundException($"The hostile-image corpus manifest is missing: {manifest}.", manifest);
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(manifest));
        List<HostileImage> images = [];
        foreach (JsonElement entry in document.RootElement.EnumerateArray())
        {
            string file = entry.GetProperty("file").GetString()!;
            string path = System.IO.Path.Combine(Folder, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The corpus manifest names {file}, which is not in {Folder}.", path);
            }

            images.Add(new HostileImage(file, entry.GetProperty("class").GetString()!, entry.GetProperty("expect").GetString()!, path));
        }

        return images;
    }
}
