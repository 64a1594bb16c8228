using Llava.ModelFormat;
using Llava.Testing;
using Llava.Testing.Golden;
using Llava.Testing.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// Our tiny checkpoints, converted by the real builder, against what Hugging Face transformers computed for the
/// same checkpoints and images (committed golden fixtures): vision features through ONNX Runtime, the whole
/// pipeline through ONNX Runtime GenAI with its KV cache.
/// </summary>
public sealed class TransformersParityTests
{
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
    public async Task Golden_fixtures_were_made_from_the_checkpoints_our_generator_writes(string family, string image)
    {
        GoldenCase golden = GoldenCase.Load(family, image);
        string expected = golden.Json.GetProperty("checkpoint").GetProperty("files_sha256").GetProperty("model.safetensors").GetString()!;

        string actual = await FileSha256.ComputeAsync(Path.Combine(TinyModels.Checkpoint(family), "model.safetensors"), CancellationToken.None);

        // If this fails the generator changed: regenerate the fixtures (tests/fixtures/golden/README.md).
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vision_graph_reproduces_transformers_image_features(string family, string image)
    {
        GoldenCase golden = GoldenCase.Load(family, image);
        long[] index = FeatureIndex.For(golden);
        Assert.Equal(golden.ImageTokens, index.Length);

        using InferenceSession session = new(Path.Combine(TinyModels.Model(family), ModelFolderLayout.Vision));
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("pixel_values", new DenseTensor<float>(golden.PixelValues(), [golden.Tiles, 3, 336, 336])),
            NamedOnnxValue.CreateFromTensor("image_feature_index", new DenseTensor<long>(index, [index.Length])),
        ]);
        float[] features = [.. results.Single().AsEnumerable<float>()];
        int hidden = golden.FeatureHidden;

        Assert.Equal(golden.ImageTokens * hidden, features.Length);
        foreach ((int row, float[] expected) in golden.FeatureFullRows)
        {
            double error = Tolerance.Relative(features.AsSpan(row * hidden, hidden), expected);
            Assert.True(error <= Tolerance.Fp32Relative, $"{family}/{image}: image-feature row {row} differs from HF by {error:E2} (relative).");
        }

        double maxSum = golden.FeatureRowSums.Max(Math.Abs);
        for (int row = 0; row < golden.ImageTokens; row++)
        {
            double sum = 0;
            for (int j = 0; j < hidden; j++)
            {
                sum += features[(row * hidden) + j];
            }

            Assert.True(Math.Abs(sum - golden.FeatureRowSums[row]) <= Tolerance.Fp32Relative * Math.Max(maxSum, 1), $"{family}/{image}: row {row} sums to {sum}, HF {golden.FeatureRowSums[row]}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GenAI_pipeline_generates_what_transformers_generates(string family, string image)
    {
        GoldenCase golden = GoldenCase.Load(family, image);
        using GenAiRun run = new(TinyModels.Model(family), golden.PixelValues(), golden.Tiles, FeatureIndex.For(golden), golden.ExpandedPromptIds(), golden.GreedyIds.Count);

        float[] first = run.LastLogits();
        double prefillError = Tolerance.LogitsRowError(first, golden.LastRow, golden.ProbeIds);
        Assert.True(prefillError <= Tolerance.Fp32Relative, $"{family}/{image}: prompt logits differ from HF by {prefillError:E2} (relative).");

        for (int step = 0; step < golden.GreedyIds.Count; step++)
        {
            // GenerateNextToken runs the decoder on the previous token (with GenAI's KV cache) and then picks from
            // the fresh logits, so after it the held logits are the ones this step chose from.
            int id = run.Step();
            LogitsRow expected = golden.GreedySteps[step];
            float[] logits = run.LastLogits();
            double scale = expected.Top.Max(t => Math.Abs(t.Value));
            double error = expected.Top.Max(t => Math.Abs(logits[t.Id] - t.Value)) / scale;
            Assert.True(error <= Tolerance.Fp32Relative, $"{family}/{image}: decode step {step} logits differ from HF by {error:E2} (relative).");
            if (id != golden.GreedyIds[step])
            {
                // Only a near-tie may flip, and then the rest of the sequence is no longer comparable.
                Assert.True(golden.Margins[step] < Tolerance.NearTie, $"{family}/{image}: step {step} chose {id}, HF {golden.GreedyIds[step]} with margin {golden.Margins[step]:E2} (not a near-tie).");
                return;
            }
        }
    }
}
