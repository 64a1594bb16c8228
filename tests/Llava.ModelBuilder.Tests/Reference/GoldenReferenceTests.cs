using System.Security.Cryptography;
using System.Text.Json;
using Llava.ModelBuilder.Checkpoints;
using Llava.Reference;
using Llava.Testing.Golden;
using Llava.Testing.Models;
using Xunit.Abstractions;

namespace Llava.ModelBuilder.Tests.Reference;

/// <summary>
/// Proves the plain-C# reference against what Hugging Face transformers computed for the same tiny checkpoints
/// and images (committed golden fixtures): geometry, image features, prompt logits and greedy ids. Other
/// tests may then trust the reference wherever the fixtures say nothing (other rows, other prompts).
/// </summary>
public sealed class GoldenReferenceTests(ITestOutputHelper output)
{
    /// <summary>Our error relative to the largest |value| compared. Measured: at most ~3e-6 (fp32 vs double sums).</summary>
    private const double RelativeTolerance = 2e-5;

    /// <summary>A greedy step whose HF top-1 / top-2 gap is below this may legitimately flip.</summary>
    private const double NearTie = 1e-4;

    public static TheoryData<string, string> Cases()
    {
        TheoryData<string, string> data = [];
        foreach ((string family, string image) in GoldenCase.All())
        {
            data.Add(family, image);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_reproduces_transformers(string family, string image)
    {
        GoldenCase golden = GoldenCase.Load(family, image);
        string checkpoint = TinyModels.Checkpoint(family);
        AssertSameCheckpoint(golden, checkpoint);
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(checkpoint, "config.json"));
        using SafetensorsCheckpoint source = SafetensorsCheckpoint.Open(checkpoint);
        LlavaReferenceModel model = LlavaReferenceModel.Load(source, config);

        int[] sizeHw = [.. golden.Json.GetProperty("geometry").GetProperty("image_sizes_hw").EnumerateArray().Select(v => v.GetInt32())];
        (int Height, int Width)? imageSize = null;
        if (config.Architecture == LlavaArchitecture.LlavaNext)
        {
            imageSize = (sizeHw[0], sizeHw[1]);
            AssertGeometry(golden, model.Layout(sizeHw[0], sizeHw[1]), model.Layout(sizeHw[0], sizeHw[1], UnpadRounding.Round7));
        }

        float[] features = model.ImageFeatures(golden.PixelValues(), golden.Tiles, imageSize);
        double featureError = CompareFeatures(golden, features);

        int[] ids = [.. golden.ExpandedPromptIds().Select(id => checked((int)id))];
        List<int> rows = [.. golden.OtherRows.Select(r => r.Position), ids.Length - 1];
        float[] logits = model.Logits(ids, features, rows);
        int vocab = config.Text.VocabSize;
        double logitsError = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            LogitsRow expected = i < golden.OtherRows.Count ? golden.OtherRows[i] : golden.LastRow;
            logitsError = Math.Max(logitsError, CompareLogits(golden, expected, logits.AsSpan(i * vocab, vocab), $"prompt position {rows[i]}"));
        }

        // The cache now holds the prompt: generation continues from its last row, as generate() does.
        GreedyGeneration greedy = model.LanguageModel.ContinueGreedy(logits[^vocab..], golden.GreedyIds.Count);
        double stepsError = 0;
        int compared = 0;
        for (int step = 0; step < golden.GreedyIds.Count; step++)
        {
            stepsError = Math.Max(stepsError, CompareLogits(golden, golden.GreedySteps[step], greedy.StepLogits[step], $"greedy step {step}"));
            if (greedy.TokenIds[step] != golden.GreedyIds[step])
            {
                // After a legitimate flip the sequences are no longer comparable.
                Assert.True(golden.Margins[step] < NearTie, $"{family}/{image}: greedy step {step} chose {greedy.TokenIds[step]}, HF {golden.GreedyIds[step]} (margin {golden.Margins[step]:E2}, not a near-tie).");
                break;
            }

            compared++;
        }

        output.WriteLine($"{family}/{image}: {golden.ImageTokens} image tokens; max relative error: features {featureError:E2}, prompt logits {logitsError:E2}, step logits {stepsError:E2}; greedy ids equal for {compared}/{golden.GreedyIds.Count} steps.");
    }

    private static void AssertSameCheckpoint(GoldenCase golden, string checkpoint)
    {
        // The fixtures describe one exact checkpoint; a changed generator must fail here, not as a numeric mismatch.
        foreach (JsonProperty file in golden.Json.GetProperty("checkpoint").GetProperty("files_sha256").EnumerateObject())
        {
            using FileStream stream = File.OpenRead(Path.Combine(checkpoint, file.Name));
            string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            Assert.True(actual == file.Value.GetString(), $"{golden.Family}: {file.Name} of the tiny checkpoint is not the one the golden fixtures were made from; regenerate them.");
        }
    }

    private static void AssertGeometry(GoldenCase golden, AnyResLayout layout, AnyResLayout round7)
    {
        JsonElement geometry = golden.Json.GetProperty("geometry");
        int[] best = [.. geometry.GetProperty("best_resolution_hw").EnumerateArray().Select(v => v.GetInt32())];
        int[] grid = [.. geometry.GetProperty("grid_rows_cols").EnumerateArray().Select(v => v.GetInt32())];
        Assert.Equal((best[0], best[1]), (layout.BestHeight, layout.BestWidth));
        Assert.Equal((grid[0], grid[1]), (layout.GridRows, layout.GridCols));
        Assert.Equal(golden.Tiles, layout.Tiles);
        Assert.Equal(golden.ImageTokens, layout.FeatureRows(withNewline: true));
        Assert.Equal(golden.Json.GetProperty("image_tokens").GetProperty("later_hf_round7").GetInt32(), round7.FeatureRows(withNewline: true));
    }

    private static double CompareFeatures(GoldenCase golden, float[] features)
    {
        int hidden = golden.FeatureHidden;
        Assert.Equal(golden.ImageTokens * hidden, features.Length);
        double error = 0;
        foreach ((int row, float[] expected) in golden.FeatureFullRows)
        {
            error = Math.Max(error, Relative(features.AsSpan(row * hidden, hidden), expected));
        }

        Assert.True(error <= RelativeTolerance, $"{golden.Family}/{golden.Image}: image-feature rows differ from HF by {error:E2} (relative).");
        double[] absSums = [.. golden.Json.GetProperty("image_features").GetProperty("row_abs_sum").EnumerateArray().Select(v => v.GetDouble())];
        for (int row = 0; row < golden.ImageTokens; row++)
        {
            double sum = 0;
            foreach (float v in features.AsSpan(row * hidden, hidden))
            {
                sum += v;
            }

            Assert.True(
                Math.Abs(sum - golden.FeatureRowSums[row]) <= RelativeTolerance * Math.Max(absSums[row], 1e-3),
                $"{golden.Family}/{golden.Image}: image-feature row {row} sums to {sum}, HF {golden.FeatureRowSums[row]}.");
        }

        return error;
    }

    private static double CompareLogits(GoldenCase golden, LogitsRow expected, ReadOnlySpan<float> actual, string where)
    {
        // Prompt rows carry values at the probe ids; greedy steps only their top-5.
        List<float> ours = [];
        List<float> theirs = [];
        for (int i = 0; i < expected.AtProbeIds.Count; i++)
        {
            ours.Add(actual[golden.ProbeIds[i]]);
            theirs.Add(expected.AtProbeIds[i]);
        }

        foreach ((int id, float value) in expected.Top)
        {
            ours.Add(actual[id]);
            theirs.Add(value);
        }

        double error = Relative([.. ours], [.. theirs]);
        Assert.True(error <= RelativeTolerance, $"{golden.Family}/{golden.Image}: logits at {where} differ from HF by {error:E2} (relative).");
        double sum = 0;
        double absSum = 0;
        foreach (float v in actual)
        {
            sum += v;
            absSum += Math.Abs(v);
        }

        Assert.True(Math.Abs(sum - expected.Sum) <= RelativeTolerance * absSum, $"{golden.Family}/{golden.Image}: logits at {where} sum to {sum}, HF {expected.Sum}.");
        return error;
    }

    /// <summary>max |a - b| / max |b|: float32 noise scales with the largest values, not with each one.</summary>
    private static double Relative(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }

        return maxDiff / maxRef;
    }
}
