using System.Diagnostics;
using Llava.Inference.Preprocessing;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Graphs;
using Llava.Reference;
using Llava.Testing;
using Llava.Testing.Models;
using Llava.TinyCheckpoints;
using Xunit.Abstractions;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// The converted graphs, run directly through ONNX Runtime with the KV cache kept as GenAI keeps it, against the
/// plain-C# reference (proved against transformers in GoldenReferenceTests) on what the golden fixtures do not
/// cover: seeded random pixels, an image size no fixture has, random prompts, every prompt position, two images
/// in one prompt and a batch of two.
/// </summary>
public sealed class ReferenceParityTests(ITestOutputHelper output)
{
    /// <summary>Cached decoder calls after the prefill, each fed the reference's greedy token.</summary>
    private const int DecodeSteps = 8;

    /// <summary>A reference top-1 / top-2 gap below this is a near-tie: float noise may flip the greedy choice there.</summary>
    private const double NearTie = 1e-4;

    /// <summary>Batch 2 against batch 1 on the same graph: only GEMM blocking may differ, far below the fp32 bound.</summary>
    private const double BatchRelative = 1e-6;

    /// <summary>An image size no golden fixture has: wide enough that NeXT unpads rows (1x3 grid + base tile).</summary>
    private const int WideWidth = 1000;

    private const int WideHeight = 200;

    public static TheoryData<string> Families() => ["llava-1.5", "llava-v1.6-mistral", "llava-v1.6-vicuna", "llava-v1.6-34b"];

    [Theory]
    [MemberData(nameof(Families))]
    public void Vision_every_prompt_position_and_cached_decode_steps_match_the_reference_on_an_unseen_image_and_prompt(string family)
    {
        Stopwatch clock = Stopwatch.StartNew();
        LlavaReferenceModel reference = LoadReference(family);
        LlavaCheckpointConfig config = reference.Config;
        int vocab = config.Text.VocabSize;
        using OnnxGraphsRun run = new(TinyModels.Model(family, ModelPrecision.Fp32, allPositionLogits: true));

        ImageInput image = ImageInput.Create(config, WideWidth, WideHeight, seed: 11, firstTile: 0, totalTiles: null);
        float[] features = run.ImageFeatures(image.Pixels, image.Tiles, image.FeatureIndex);
        float[] expectedFeatures = ReferenceFeatures(reference, image);
        double featureError = Tolerance.Relative(features, expectedFeatures);
        Assert.True(featureError <= Tolerance.Fp32Relative, $"{family}: image features differ from the reference by {featureError:E2} (relative).");

        int[] prompt = RandomPrompt(family, image.FeatureIndex.Length, seed: 23);
        run.StartSequences(1);
        float[] logits = run.Step([.. prompt.Select(id => (long)id)], features);
        float[] expectedLogits = reference.Logits(prompt, expectedFeatures);
        Assert.Equal(expectedLogits.Length, logits.Length);
        double promptError = 0;
        for (int row = 0; row < prompt.Length; row++)
        {
            double error = Tolerance.Relative(logits.AsSpan(row * vocab, vocab), expectedLogits.AsSpan(row * vocab, vocab));
            Assert.True(error <= Tolerance.Fp32Relative, $"{family}: prompt position {row} logits differ from the reference by {error:E2} (relative).");
            promptError = Math.Max(promptError, error);
        }

        // The reference's cache now holds the prompt; its greedy steps are what a cached ONNX decode must reproduce.
        GreedyGeneration greedy = reference.LanguageModel.ContinueGreedy(expectedLogits[^vocab..], DecodeSteps + 1);
        float[] ours = logits[^vocab..];
        double stepError = 0;
        int agreed = 0;
        for (int step = 0; step <= DecodeSteps; step++)
        {
            if (step > 0)
            {
                ours = run.Step([greedy.TokenIds[step - 1]], []);
                double error = Tolerance.Relative(ours, greedy.StepLogits[step]);
                Assert.True(error <= Tolerance.Fp32Relative, $"{family}: decode step {step} logits differ from the reference by {error:E2} (relative).");
                stepError = Math.Max(stepError, error);
            }

            int id = Tolerance.ArgMax(ours);
            if (id != greedy.TokenIds[step])
            {
                // Only a near-tie may flip; the steps after it are no longer the same question.
                double margin = Margin(greedy.StepLogits[step]);
                Assert.True(margin < NearTie, $"{family}: step {step} chose {id}, the reference {greedy.TokenIds[step]} with margin {margin:E2} (not a near-tie).");
                break;
            }

            agreed++;
        }

        // Every decoder call grew the cache by its new positions (the prompt, then one per step taken).
        Assert.Equal(prompt.Length + Math.Min(agreed, DecodeSteps), run.CachedLength);
        output.WriteLine(
            $"{family} {image.Width}x{image.Height}: {image.Tiles} tiles, {image.FeatureIndex.Length} image tokens, prompt {prompt.Length}; max relative error: features {featureError:E2}, " +
            $"prompt logits (all positions) {promptError:E2}, decode steps {stepError:E2}; greedy ids equal for {agreed}/{DecodeSteps + 1}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Two_images_in_one_prompt_give_each_images_own_features_in_order()
    {
        Stopwatch clock = Stopwatch.StartNew();
        LlavaReferenceModel reference = LoadReference("llava-v1.6-mistral");
        LlavaCheckpointConfig config = reference.Config;
        int square = AnyResGeometryFor(config, 336, 336).TileCount;
        int wide = AnyResGeometryFor(config, WideWidth, WideHeight).TileCount;
        ImageInput first = ImageInput.Create(config, 336, 336, seed: 31, firstTile: 0, totalTiles: square + wide);
        ImageInput second = ImageInput.Create(config, WideWidth, WideHeight, seed: 37, firstTile: square, totalTiles: square + wide);
        using OnnxGraphsRun run = new(TinyModels.Model("llava-v1.6-mistral", ModelPrecision.Fp32, allPositionLogits: true));

        float[] features = run.ImageFeatures([.. first.Pixels, .. second.Pixels], square + wide, [.. first.FeatureIndex, .. second.FeatureIndex]);

        float[] expected = [.. ReferenceFeatures(reference, first), .. ReferenceFeatures(reference, second)];
        double error = Tolerance.Relative(features, expected);
        Assert.True(error <= Tolerance.Fp32Relative, $"Two images' features differ from each image's reference features, concatenated, by {error:E2} (relative).");
        output.WriteLine($"336x336 ({square} tiles, {first.FeatureIndex.Length} rows) + {WideWidth}x{WideHeight} ({wide} tiles, {second.FeatureIndex.Length} rows): max relative error {error:E2}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void The_fused_decoder_with_a_shared_kv_buffer_matches_the_plain_operator_decoder_with_a_concatenated_cache()
    {
        Stopwatch clock = Stopwatch.StartNew();
        const string Family = "llava-v1.6-34b"; // grouped-query attention and Yi's rope_theta of 5e6
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(TinyModels.Checkpoint(Family), "config.json"));
        using OnnxGraphsRun fused = new(TinyModels.Model(Family, allPositionLogits: true));
        using OnnxGraphsRun plain = new(TinyModels.Model(Family, allPositionLogits: true, attention: DecoderAttention.PlainOperators));
        Assert.True(fused.SharedBuffer);
        Assert.False(plain.SharedBuffer);
        ImageInput image = ImageInput.Create(config, 336, 336, seed: 47, firstTile: 0, totalTiles: null);
        float[] features = fused.ImageFeatures(image.Pixels, image.Tiles, image.FeatureIndex);
        long[] prompt = [.. RandomPrompt(Family, image.FeatureIndex.Length, seed: 53).Select(id => (long)id)];

        fused.StartSequences(1, maxLength: prompt.Length + 8);
        plain.StartSequences(1);
        float[] ours = fused.Step(prompt, features);
        float[] reference = plain.Step(prompt, features);
        double worst = Tolerance.Relative(ours, reference);
        for (int step = 0; step < 6; step++)
        {
            long next = Tolerance.ArgMax(reference.AsSpan(reference.Length - fused.Vocab));
            ours = fused.Step([next], []);
            reference = plain.Step([next], []);
            worst = Math.Max(worst, Tolerance.Relative(ours, reference));
        }

        Assert.True(worst <= Tolerance.Fp32Relative, $"The fused decoder differs from the plain-operator decoder by {worst:E2} (relative).");
        Assert.Equal(plain.CachedLength, fused.CachedLength);
        output.WriteLine($"{Family}: prompt {prompt.Length} (all positions) and 6 cached steps, fused vs plain: max relative difference {worst:E2}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void A_batch_of_two_identical_sequences_gives_the_logits_of_one()
    {
        Stopwatch clock = Stopwatch.StartNew();
        const string Family = "llava-v1.6-mistral"; // grouped-query attention: the KV repeat must keep the batch axis apart
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(TinyModels.Checkpoint(Family), "config.json"));
        using OnnxGraphsRun run = new(TinyModels.Model(Family));
        ImageInput image = ImageInput.Create(config, WideWidth, WideHeight, seed: 41, firstTile: 0, totalTiles: null);
        float[] features = run.ImageFeatures(image.Pixels, image.Tiles, image.FeatureIndex);
        long[] prompt = [.. RandomPrompt(Family, image.FeatureIndex.Length, seed: 43).Select(id => (long)id)];

        run.StartSequences(1);
        List<float[]> single = [run.Step(prompt, features)];
        long[] fed = new long[3];
        for (int i = 0; i < fed.Length; i++)
        {
            fed[i] = Tolerance.ArgMax(single[^1]);
            single.Add(run.Step([fed[i]], []));
        }

        // The embedding graph numbers image tokens across the whole batch: each sequence brings its own rows.
        run.StartSequences(2);
        List<float[]> pair = [run.Step([.. prompt, .. prompt], [.. features, .. features])];
        foreach (long id in fed)
        {
            pair.Add(run.Step([id, id], []));
        }

        double worst = 0;
        for (int step = 0; step < single.Count; step++)
        {
            int vocab = single[step].Length;
            Assert.Equal(2 * vocab, pair[step].Length);
            for (int sequence = 0; sequence < 2; sequence++)
            {
                double error = Tolerance.Relative(pair[step].AsSpan(sequence * vocab, vocab), single[step]);
                Assert.True(error <= BatchRelative, $"Step {step}, sequence {sequence} of the batch differs from batch 1 by {error:E2} (relative).");
                worst = Math.Max(worst, error);
            }
        }

        output.WriteLine($"{Family}: batch 2 vs batch 1 over the prefill and {fed.Length} cached steps: max relative difference {worst:E2}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static LlavaReferenceModel LoadReference(string family)
    {
        string checkpoint = TinyModels.Checkpoint(family);
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(checkpoint, "config.json"));
        using SafetensorsCheckpoint source = SafetensorsCheckpoint.Open(checkpoint);
        return LlavaReferenceModel.Load(source, config);
    }

    private static AnyResGeometry AnyResGeometryFor(LlavaCheckpointConfig config, int width, int height) =>
        AnyResGeometry.Create(width, height, config.ImageGridPinpoints, config.Vision.ImageSize, config.Vision.PatchSize);

    /// <summary>The reference's rows for one image on its own; NeXT unpads with the runtime's rounding (round to 7 digits).</summary>
    private static float[] ReferenceFeatures(LlavaReferenceModel reference, ImageInput image)
    {
        if (reference.Config.Architecture == LlavaArchitecture.Llava)
        {
            return reference.ImageFeatures(image.Pixels, image.Tiles);
        }

        AnyResLayout layout = reference.Layout(image.Height, image.Width, UnpadRounding.Round7);
        Assert.Equal(image.FeatureIndex.Length, layout.FeatureRows(withNewline: true));
        return reference.ImageFeatures(image.Pixels, image.Tiles, (image.Height, image.Width), UnpadRounding.Round7);
    }

    /// <summary>20 random text ids (never the image token) with the image's run of image tokens at position 3.</summary>
    private static int[] RandomPrompt(string family, int imageTokens, int seed)
    {
        TinyFamily tiny = TinyFamily.FromName(family);
        Random random = new(seed);
        int[] text = [.. Enumerable.Range(0, 20).Select(_ => random.Next(3, tiny.BaseVocabSize))];
        return [.. text[..3], .. Enumerable.Repeat(tiny.ImageTokenId, imageTokens), .. text[3..]];
    }

    private static double Margin(float[] logits)
    {
        float[] sorted = [.. logits.OrderDescending().Take(2)];
        return sorted[0] - sorted[1];
    }

    /// <summary>
    /// One image's tiles of seeded N(0, 1) pixels and its feature-row index, built from the runtime's anyres
    /// geometry (LLaVA-1.5: one tile, its 576 rows). Tiles start at <c>firstTile</c> of a prompt's
    /// <c>totalTiles</c>; the shared newline row comes after all of them.
    /// </summary>
    private sealed record ImageInput(int Width, int Height, int Tiles, float[] Pixels, long[] FeatureIndex)
    {
        public static ImageInput Create(LlavaCheckpointConfig config, int width, int height, int seed, int firstTile, int? totalTiles)
        {
            int tileSize = config.Vision.ImageSize;
            long perTile = config.FeaturesPerTile;
            if (config.Architecture == LlavaArchitecture.Llava)
            {
                return new ImageInput(tileSize, tileSize, 1, RandomPixels(1, tileSize, seed), [.. Enumerable.Range(0, (int)perTile).Select(p => (firstTile * perTile) + p)]);
            }

            AnyResGeometry geometry = AnyResGeometryFor(config, width, height);
            List<long> index = [];
            geometry.AppendFeatureIndex(index, firstTile, (totalTiles ?? geometry.TileCount) * perTile);
            return new ImageInput(width, height, geometry.TileCount, RandomPixels(geometry.TileCount, tileSize, seed), [.. index]);
        }

        /// <summary>Box-Muller normals from a seeded generator: the same pixels on every run.</summary>
        private static float[] RandomPixels(int tiles, int tileSize, int seed)
        {
            Random random = new(seed);
            float[] pixels = new float[tiles * 3 * tileSize * tileSize];
            for (int i = 0; i < pixels.Length; i += 2)
            {
                double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
                double angle = 2.0 * Math.PI * random.NextDouble();
                pixels[i] = (float)(radius * Math.Cos(angle));
                pixels[i + 1] = (float)(radius * Math.Sin(angle));
            }

            return pixels;
        }
    }
}
