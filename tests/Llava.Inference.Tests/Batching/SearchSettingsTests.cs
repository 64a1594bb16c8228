using Llava.Inference.Batching;
using Llava.Inference.Generation;

namespace Llava.Inference.Tests.Batching;

public sealed class SearchSettingsTests
{
    [Fact]
    public void Greedy_requests_share_settings_whatever_their_length_stops_or_seed()
    {
        SearchSettings a = SearchSettings.For(new GenerationOptions { MaxNewTokens = 5, StopSequences = ["x"], Seed = 3 });
        SearchSettings b = SearchSettings.For(new GenerationOptions { MaxNewTokens = 50, Temperature = 0 });

        Assert.Equal(a, b);
        Assert.True(a.Shareable);
    }

    [Fact]
    public void Sampling_requests_share_settings_only_with_the_same_temperature_top_p_top_k_and_penalty()
    {
        GenerationOptions sampled = new() { Temperature = 0.7f, TopP = 0.9f, TopK = 40, RepetitionPenalty = 1.1f };

        Assert.Equal(SearchSettings.For(sampled), SearchSettings.For(sampled with { MaxNewTokens = 3 }));
        Assert.NotEqual(SearchSettings.For(sampled), SearchSettings.For(sampled with { Temperature = 0.8f }));
        Assert.NotEqual(SearchSettings.For(sampled), SearchSettings.For(sampled with { TopP = 0.8f }));
        Assert.NotEqual(SearchSettings.For(sampled), SearchSettings.For(sampled with { TopK = 41 }));
        Assert.NotEqual(SearchSettings.For(sampled), SearchSettings.For(sampled with { RepetitionPenalty = 1.2f }));
        Assert.NotEqual(SearchSettings.For(sampled), SearchSettings.For(new GenerationOptions()));
    }

    [Fact]
    public void Seeded_sampling_and_constrained_output_cannot_share_a_generator()
    {
        Assert.False(SearchSettings.For(new GenerationOptions { Temperature = 0.7f, Seed = 1 }).Shareable);
        Assert.False(SearchSettings.For(new GenerationOptions { Constraint = OutputConstraint.Regex("a+") }).Shareable);
        Assert.True(SearchSettings.For(new GenerationOptions { Temperature = 0.7f }).Shareable);
    }
}
