using Llava.ModelBuilder.Checkpoints;
using Llava.Reference;
using Llava.Testing.Models;

namespace Llava.ModelBuilder.Tests.Reference;

/// <summary>The reference's KV cache: decoding token by token must compute what one prefill of the whole text does.</summary>
public sealed class LanguageModelReferenceTests
{
    [Theory]
    [InlineData("llava-v1.6-mistral")] // grouped-query attention, rope_theta 1e6
    [InlineData("llava-1.5")]
    public void Decode_steps_through_the_cache_equal_one_prefill_of_the_whole_sequence(string family)
    {
        string checkpoint = TinyModels.Checkpoint(family);
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(checkpoint, "config.json"));
        using SafetensorsCheckpoint source = SafetensorsCheckpoint.Open(checkpoint);
        LanguageModelReference model = LanguageModelReference.Load(source, config);
        int[] ids = [1, 3148, 1001, 29901, 29871, 13, 5618, 338, 4318, 297, 445, 1967];
        int vocab = config.Text.VocabSize;

        float[] all = model.Prefill(model.Embed(ids), ids.Length);

        model.Prefill(model.Embed(ids[..5]), 5, []);
        for (int i = 5; i < ids.Length; i++)
        {
            float[] step = model.DecodeStep(ids[i]);
            ReadOnlySpan<float> expected = all.AsSpan(i * vocab, vocab);
            double maxError = 0;
            for (int j = 0; j < vocab; j++)
            {
                maxError = Math.Max(maxError, Math.Abs(step[j] - expected[j]));
            }

            Assert.True(maxError < 1e-5, $"{family}: position {i} decoded through the cache differs from the prefill by {maxError:E2}.");
        }

        Assert.Equal(ids.Length, model.Cache.Length);
    }
}
