using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.ModelFormat;

namespace Llava.Inference.Tests.Engine;

public sealed class MemoryBudgetTests
{
    private static readonly ModelMemoryProfile s_profile = new()
    {
        Layers = 32,
        AttentionHeads = 32,
        KeyValueHeads = 8,
        HeadSize = 128,
        HiddenSize = 4096,
        VocabSize = 32064,
        ContextLength = 32768,
        ActivationBytes = 2,
        DecoderAttention = AttentionKind.Plain,
        TileSize = 336,
        VisionTokensPerTile = 577,
    };

    private static readonly RequestShape s_oneImage = new(PromptTokens: 2000, MaxNewTokens: 256, Tiles: 5, ImageTokens: 1800, EncodedBytes: 300_000, LargestImagePixels: 1_000_000, LargestIntermediatePixels: 1_000_000);

    /// <summary>Whole MiB, rounded up, as the refusal messages print them.</summary>
    private static long MibRoundedUp(long bytes) => (long)Math.Ceiling(bytes / (1024.0 * 1024.0));

    private static RequestMemoryEstimate Estimate(RequestShape shape, string attention = AttentionKind.Plain) =>
        new RequestMemoryEstimator(s_profile with { DecoderAttention = attention }).Estimate(shape);

    [Fact]
    public void Plain_attention_keeps_three_score_copies_and_fused_attention_one()
    {
        RequestShape shortPrompt = s_oneImage with { PromptTokens = 4000 };
        RequestShape longPrompt = s_oneImage with { PromptTokens = 8000 };

        double quadratic = (double)Estimate(longPrompt).AttentionWorkspace / Estimate(shortPrompt).AttentionWorkspace;
        long fused = Estimate(longPrompt, AttentionKind.GroupQuery).AttentionWorkspace;

        Assert.InRange(quadratic, 3.9, 4.0);
        // Fused: one layer's fp32 scores over prompt plus answer, plus the Q/K/V/output activations.
        Assert.Equal((32L * 8000 * 8256 * 4) + (8000L * 32 * 128 * 2 * 4), fused);
        Assert.True(fused < Estimate(longPrompt).AttentionWorkspace / 2);
        // heads x T x T fp32 scores, three copies: 32 x 8000^2 x 4 x 3 bytes.
        Assert.True(Estimate(longPrompt).AttentionWorkspace >= 32L * 8000 * 8000 * 4 * 3);
    }

    [Fact]
    public void The_key_value_cache_counts_prompt_plus_answer_and_stops_at_the_context()
    {
        long small = Estimate(s_oneImage with { MaxNewTokens = 0 }).KeyValueCache;
        long withAnswer = Estimate(s_oneImage with { MaxNewTokens = 2000 }).KeyValueCache;
        long capped = Estimate(s_oneImage with { MaxNewTokens = int.MaxValue }).KeyValueCache;

        // 2 (K and V) x layers x kv heads x head size x length x 2 bytes, past and present: 2 copies.
        Assert.Equal(2L * 32 * 8 * 128 * 2000 * 2 * 2, small);
        Assert.Equal(2 * small, withAnswer);
        Assert.Equal(small * 32768 / 2000, capped);
    }

    [Fact]
    public void Image_terms_scale_with_tiles_pixels_and_encoded_bytes()
    {
        RequestMemoryEstimate one = Estimate(s_oneImage);
        RequestMemoryEstimate twice = Estimate(s_oneImage with { Tiles = 10 });
        RequestMemoryEstimate noImage = Estimate(new RequestShape(100, 16, 0, 0, 0, 0, 0));

        // Hidden states with the MLP, scores and softmax of CLIP-L over all tiles, and the projected features.
        Assert.Equal((5L * 577 * 1024 * 2 * 8) + (5L * 16 * 577 * 577 * 4 * 2) + (((5L * 576) + 1) * 4096 * 2), one.Vision);
        Assert.True(twice.Vision > 1.9 * one.Vision);
        Assert.Equal(5L * 3 * 336 * 336 * 2 * 2 + (1800L * 8 * 3), one.PixelTensors);
        Assert.Equal(300_000 + (1_000_000L * RequestMemoryEstimator.DecodeBytesPerPixel) + (1_000_000L * RequestMemoryEstimator.IntermediateBytesPerPixel), one.ImageDecoding);
        Assert.Equal(0, noImage.Vision);
        Assert.Equal(0, noImage.PixelTensors);
        Assert.True(twice.Total > one.Total);
    }

    [Fact]
    public void Every_term_is_its_documented_product_of_the_request_and_model_sizes()
    {
        RequestMemoryEstimator estimator = new(s_profile);
        RequestMemoryEstimate plain = estimator.Estimate(s_oneImage);
        RequestMemoryEstimate fused = new RequestMemoryEstimator(s_profile with { DecoderAttention = AttentionKind.GroupQuery }).Estimate(s_oneImage);

        // docs/performance.md, "The estimate": T = 2000, N = 256, D = 4096, H = 32, d = 128, V = 32064, b = 2.
        Assert.Same(s_profile, estimator.Profile);
        Assert.Equal(16L << 20, plain.Fixed);
        Assert.Equal(3L * 2000 * 4096 * 2, plain.Embeddings);
        Assert.Equal(15L * 2000 * 4096 * 2, plain.PrefillActivations);
        Assert.Equal(2L * 32064 * 4, plain.Logits);
        Assert.Equal((3L * 32 * 2000 * 2000 * 4) + (2L * 2000 * 2000) + (2L * 2000 * 32 * 128 * 2), plain.AttentionWorkspace);
        Assert.Equal((32L * 2000 * 2256 * 4) + (2000L * 32 * 128 * 2 * 4), fused.AttentionWorkspace);
        Assert.Equal(plain with { AttentionWorkspace = fused.AttentionWorkspace }, fused);
    }

    [Fact]
    public void Negative_sizes_count_as_nothing()
    {
        RequestMemoryEstimate nothing = Estimate(new RequestShape(0, 0, 0, 0, 0, 0, 0));
        RequestMemoryEstimate negative = Estimate(new RequestShape(-5, -7, -1, -9, -100, -1000, -1000));

        Assert.Equal(nothing, negative);
        Assert.Equal(0, nothing.ImageDecoding);
        Assert.Equal(0, nothing.PixelTensors);
        Assert.Equal(0, nothing.KeyValueCache);
        Assert.Equal(0, nothing.Embeddings);
    }

    [Fact]
    public void The_peak_is_the_larger_of_decoding_and_generating_on_top_of_what_lives_through_both()
    {
        RequestMemoryEstimate e = Estimate(s_oneImage);
        long generation = e.Vision + e.Embeddings + e.KeyValueCache + e.AttentionWorkspace + e.PrefillActivations + e.Logits;

        Assert.Equal(e.Fixed + e.PixelTensors + Math.Max(e.ImageDecoding, generation), e.Total);
        RequestMemoryEstimate hugeImage = Estimate(s_oneImage with { LargestImagePixels = 200_000_000 });
        Assert.Equal(hugeImage.Fixed + hugeImage.PixelTensors + hugeImage.ImageDecoding, hugeImage.Total);
    }

    [Fact]
    public void A_request_within_the_budget_is_admitted_with_its_estimate()
    {
        long total = Estimate(s_oneImage).Total;
        MemoryBudget budget = new(new RequestMemoryEstimator(s_profile), total);

        Assert.Equal(total, budget.Admit(s_oneImage));
    }

    [Fact]
    public void A_prompt_too_long_for_the_budget_names_the_largest_prompt_that_fits()
    {
        MemoryBudget budget = new(new RequestMemoryEstimator(s_profile), 4L << 30);
        RequestShape shape = s_oneImage with { PromptTokens = 21_000 };

        RequestOverBudgetException e = Assert.Throws<RequestOverBudgetException>(() => budget.Admit(shape));

        Assert.Equal(RequestLimit.PromptTokens, e.Limit);
        Assert.Equal(21_000, e.Value);
        Assert.True(e.Maximum > s_oneImage.ImageTokens && e.Maximum < 21_000);
        budget.Admit(shape with { PromptTokens = (int)e.Maximum });
        Assert.Throws<RequestOverBudgetException>(() => budget.Admit(shape with { PromptTokens = (int)e.Maximum + 1 }));
        Assert.Contains("prompt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_too_large_for_the_budget_names_the_largest_image_that_fits()
    {
        long withoutDecoding = Estimate(s_oneImage with { LargestImagePixels = 0, LargestIntermediatePixels = 0 }).Total;
        MemoryBudget budget = new(new RequestMemoryEstimator(s_profile), withoutDecoding + (100L << 20));
        RequestShape shape = s_oneImage with { LargestImagePixels = 200_000_000, LargestIntermediatePixels = 40_000_000 };

        RequestOverBudgetException e = Assert.Throws<RequestOverBudgetException>(() => budget.Admit(shape));

        Assert.Equal(RequestLimit.ImagePixels, e.Limit);
        Assert.Equal(200_000_000, e.Value);
        Assert.InRange(e.Maximum, 1, 200_000_000 - 1);
        budget.Admit(shape with { LargestImagePixels = e.Maximum, LargestIntermediatePixels = Math.Min(e.Maximum, 40_000_000) });
        Assert.Throws<RequestOverBudgetException>(() => budget.Admit(shape with { LargestImagePixels = e.Maximum + 1, LargestIntermediatePixels = Math.Min(e.Maximum + 1, 40_000_000) }));
        Assert.Contains($"An image of 200000000 pixels needs about {MibRoundedUp(Estimate(shape).Total)} MiB", e.Message, StringComparison.Ordinal);
        Assert.Contains($"budget of {MibRoundedUp(budget.BudgetBytes)} MiB allows images of up to {e.Maximum} pixels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_that_does_not_fit_even_with_its_text_removed_is_over_the_budget_as_a_whole()
    {
        MemoryBudget budget = new(new RequestMemoryEstimator(s_profile), 64L << 20);
        RequestShape shape = s_oneImage with { Tiles = 20, ImageTokens = 8000, PromptTokens = 8001 };

        RequestOverBudgetException e = Assert.Throws<RequestOverBudgetException>(() => budget.Admit(shape));

        Assert.Equal(RequestLimit.MemoryBytes, e.Limit);
        Assert.Equal(64L << 20, e.Maximum);
        Assert.Equal(Estimate(shape).Total, e.Value);
        Assert.Contains($"needs about {MibRoundedUp(e.Value)} MiB (20 image tiles, 8001 prompt tokens, up to 256 new tokens)", e.Message, StringComparison.Ordinal);
        Assert.Contains("memory budget is 64 MiB.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_that_fits_only_with_fewer_tokens_than_its_images_take_is_over_the_budget_as_a_whole()
    {
        // The budget holds the prompt at exactly its 1800 image tokens, but a prompt needs at least one more token.
        MemoryBudget budget = new(new RequestMemoryEstimator(s_profile), Estimate(s_oneImage with { PromptTokens = 1800 }).Total);

        RequestOverBudgetException e = Assert.Throws<RequestOverBudgetException>(() => budget.Admit(s_oneImage));

        Assert.Equal(RequestLimit.MemoryBytes, e.Limit);
        Assert.Equal(Estimate(s_oneImage).Total, e.Value);
    }

    [Fact]
    public void A_budget_needs_an_estimator_and_an_estimator_a_profile()
    {
        Assert.Throws<ArgumentNullException>(() => new MemoryBudget(null!, 1L << 30));
        Assert.Throws<ArgumentNullException>(() => new RequestMemoryEstimator(null!));
    }

    [Fact]
    public void A_budget_must_be_positive()
    {
        RequestMemoryEstimator estimator = new(s_profile);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(estimator, 0));
        Assert.Equal(1, new MemoryBudget(estimator, 1).BudgetBytes);
    }
}
