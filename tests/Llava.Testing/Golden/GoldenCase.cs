using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Llava.Testing.Golden;

/// <summary>
/// One committed transformers run (tests/fixtures/golden/&lt;family&gt;/&lt;image&gt;/): what HF computed for one of our
/// tiny checkpoints on one test image. See tests/fixtures/golden/README.md for how it is made.
/// </summary>
public sealed class GoldenCase
{
    private readonly JsonElement _root;

    private GoldenCase(string family, string image, string directory, JsonElement root)
    {
        Family = family;
        Image = image;
        Directory = directory;
        _root = root;
        JsonElement prompt = root.GetProperty("prompt");
        PromptIds = [.. prompt.GetProperty("ids").EnumerateArray().Select(v => v.GetInt64())];
        ImageTokenId = prompt.GetProperty("image_token_id").GetInt32();
        ImageTokens = root.GetProperty("image_tokens").GetProperty("model").GetInt32();
        JsonElement imageJson = root.GetProperty("image");
        ImageFile = imageJson.GetProperty("file").GetString()!;
        ImageWidth = imageJson.GetProperty("width").GetInt32();
        ImageHeight = imageJson.GetProperty("height").GetInt32();
        Tiles = root.GetProperty("geometry").GetProperty("num_tiles_incl_base").GetInt32();
        JsonElement greedy = root.GetProperty("greedy");
        GreedyIds = [.. greedy.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32())];
        Margins = [.. greedy.GetProperty("top1_minus_top2").EnumerateArray().Select(v => v.GetDouble())];
        GreedySteps = [.. greedy.GetProperty("steps").EnumerateArray().Select(LogitsRow.Parse)];
        JsonElement logits = root.GetProperty("logits");
        ProbeIds = [.. logits.GetProperty("probe_ids").EnumerateArray().Select(v => v.GetInt32())];
        LastRow = LogitsRow.Parse(logits.GetProperty("last_row"));
        OtherRows = [.. logits.GetProperty("other_rows").EnumerateArray().Select(LogitsRow.Parse)];
        JsonElement features = root.GetProperty("image_features");
        FeatureRowSums = [.. features.GetProperty("row_sum").EnumerateArray().Select(v => v.GetDouble())];
        FeatureHidden = features.GetProperty("hidden").GetInt32();
        FeatureFullRows = features.GetProperty("full_rows").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }

    public string Family { get; }

    /// <summary>The image's file stem (the folder name).</summary>
    public string Image { get; }

    public string Directory { get; }

    public string ImageFile { get; }

    public int ImageWidth { get; }

    public int ImageHeight { get; }

    /// <summary>Tiles fed to CLIP, the base tile included.</summary>
    public int Tiles { get; }

    public int ImageTokenId { get; }

    /// <summary>Rows of the packed image features = image tokens in the expanded prompt.</summary>
    public int ImageTokens { get; }

    /// <summary>The prompt ids with the image token once.</summary>
    public IReadOnlyList<long> PromptIds { get; }

    public IReadOnlyList<int> GreedyIds { get; }

    /// <summary>HF's top-1 minus top-2 logit at each greedy step: small margins are near-ties.</summary>
    public IReadOnlyList<double> Margins { get; }

    public IReadOnlyList<LogitsRow> GreedySteps { get; }

    public IReadOnlyList<int> ProbeIds { get; }

    public LogitsRow LastRow { get; }

    public IReadOnlyList<LogitsRow> OtherRows { get; }

    public IReadOnlyList<double> FeatureRowSums { get; }

    public int FeatureHidden { get; }

    public IReadOnlyDictionary<int, float[]> FeatureFullRows { get; }

    /// <summary>The raw JSON, for anything not surfaced above.</summary>
    public JsonElement Json => _root;

    public static string Root => RepositoryPaths.Fixture("golden");

    public static GoldenCase Load(string family, string image)
    {
        string directory = Path.Combine(Root, family, image);
        string path = Path.Combine(directory, "reference.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Golden fixture missing: {path}. Regenerate with tests/fixtures/golden/regenerate.py.", path);
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return new GoldenCase(family, image, directory, document.RootElement.Clone());
    }

    /// <summary>Every committed family x image; fails (never returns empty) if the fixtures are missing.</summary>
    public static IReadOnlyList<(string Family, string Image)> All()
    {
        List<(string, string)> cases = [];
        foreach (string family in System.IO.Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            foreach (string image in System.IO.Directory.EnumerateDirectories(family).Order(StringComparer.Ordinal))
            {
                cases.Add((Path.GetFileName(family), Path.GetFileName(image)));
            }
        }

        return cases.Count > 0 ? cases : throw new InvalidOperationException($"No golden fixtures under {Root}.");
    }

    /// <summary>The prompt with the image token repeated once per image-feature row, as the model runs it.</summary>
    public long[] ExpandedPromptIds()
    {
        List<long> ids = [];
        foreach (long id in PromptIds)
        {
            if (id == ImageTokenId)
            {
                ids.AddRange(Enumerable.Repeat((long)ImageTokenId, ImageTokens));
            }
            else
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// HF's exact pixel_values [tiles, 3, 336, 336], rebuilt from the lossless uint8 tiles with transformers'
    /// arithmetic (float64 rescale cast to float32, then float32 subtract and divide).
    /// </summary>
    public float[] PixelValues()
    {
        JsonElement recipe = _root.GetProperty("pixel_tiles");
        double rescale = recipe.GetProperty("rescale_factor").GetDouble();
        float[] mean = [.. recipe.GetProperty("image_mean").EnumerateArray().Select(v => v.GetSingle())];
        float[] std = [.. recipe.GetProperty("image_std").EnumerateArray().Select(v => v.GetSingle())];
        using Image<Rgb24> tiles = SixLabors.ImageSharp.Image.Load<Rgb24>(Path.Combine(Directory, "pixel_tiles.png"));
        int side = tiles.Width;
        float[] values = new float[Tiles * 3 * side * side];
        tiles.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                int tile = y / side;
                int ty = y % side;
                for (int x = 0; x < side; x++)
                {
                    Rgb24 px = row[x];
                    int at = (tile * 3 * side * side) + (ty * side) + x;
                    values[at] = ((float)(px.R * rescale) - mean[0]) / std[0];
                    values[at + (side * side)] = ((float)(px.G * rescale) - mean[1]) / std[1];
                    values[at + (2 * side * side)] = ((float)(px.B * rescale) - mean[2]) / std[2];
                }
            }
        });
        return values;
    }
}
