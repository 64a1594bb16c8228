using Llava.Inference.Batching;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Inference.Tests.Engine;
using Llava.ModelFormat;

namespace Llava.Inference.Tests.Batching;

/// <summary>
/// Static batching on the real tiny models of every family: rows with different images (one-tile and several
/// anyres sizes), prompts and answer lengths share one generator and each gets exactly the tokens it gets alone.
/// </summary>
public sealed class BatchedGenerationTests
{
    private static readonly (string Image, string Question, int MaxTokens)[] s_requests =
    [
        ("chelsea_336x336", "What is this?", 10),
        ("coffee_500x375", "Describe the picture in detail, please, with every object you can see.", 6),
        ("astronaut_316x500", "Hi", 12),
        ("camera_448x336_grey", "What colour is it?", 9),
    ];

    public static TheoryData<string> Families => [.. ModelVariant.All];

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Greedy_answers_in_one_batch_equal_the_same_requests_answered_alone(string family)
    {
        using LlavaEngine alone = TinyEngines.Load(family, maxConcurrent: 1, maxQueued: 16);
        List<GenerationResult> expected = [];
        foreach ((string image, string question, int maxTokens) in s_requests)
        {
            expected.Add(await alone.GenerateAsync(Messages(image, question), new GenerationOptions { MaxNewTokens = maxTokens }));
        }

        using LlavaEngine batched = BatchingEngine(family, s_requests.Length);
        GenerationResult[] actual = await Task.WhenAll(s_requests.Select(r => batched.GenerateAsync(Messages(r.Image, r.Question), new GenerationOptions { MaxNewTokens = r.MaxTokens })));

        BatchingStatus status = batched.Batching;
        Assert.Equal(1, status.CompletedBatches);
        Assert.Equal(s_requests.Length, status.CompletedRows);
        for (int i = 0; i < s_requests.Length; i++)
        {
            Assert.Equal(expected[i].TokenIds, actual[i].TokenIds);
            Assert.Equal(expected[i].Text, actual[i].Text);
            Assert.Equal(expected[i].FinishReason, actual[i].FinishReason);
            Assert.Equal(expected[i].Usage, actual[i].Usage);
        }

        // Rows asked for different lengths: each ended on its own budget, not the batch's.
        Assert.Equal([10, 6, 12, 9], actual.Select(a => a.Usage.CompletionTokens));
        Assert.Equal(0, batched.ReservedBytes);
        Assert.Equal(0, batched.InFlight);
    }

    [Fact]
    public async Task Cancelling_one_row_mid_batch_leaves_the_others_answers_unchanged()
    {
        const string family = ModelVariant.NextMistral;
        using LlavaEngine alone = TinyEngines.Load(family, maxConcurrent: 1, maxQueued: 16);
        GenerationResult first = await alone.GenerateAsync(Messages("chelsea_336x336", "What is this?"), new GenerationOptions { MaxNewTokens = 16 });
        GenerationResult third = await alone.GenerateAsync(Messages("astronaut_316x500", "Hi"), new GenerationOptions { MaxNewTokens = 16 });

        using LlavaEngine batched = BatchingEngine(family, 3);
        using CancellationTokenSource cancel = new();
        Task<GenerationResult> a = batched.GenerateAsync(Messages("chelsea_336x336", "What is this?"), new GenerationOptions { MaxNewTokens = 16 });
        Task<int> b = ReadUntilCancelled(batched, Messages("coffee_500x375", "And this?"), cancel);
        Task<GenerationResult> c = batched.GenerateAsync(Messages("astronaut_316x500", "Hi"), new GenerationOptions { MaxNewTokens = 16 });

        int tokensBeforeCancel = await b;
        Assert.InRange(tokensBeforeCancel, 1, 2);
        Assert.Equal(first.TokenIds, (await a).TokenIds);
        Assert.Equal(third.TokenIds, (await c).TokenIds);
        Assert.Equal(1, batched.Batching.CompletedBatches);
        Assert.Equal(0, batched.ReservedBytes);
        Assert.Equal(0, batched.InFlight);
    }

    [Fact]
    public async Task Requests_that_cannot_share_search_settings_are_answered_in_batches_of_their_own()
    {
        using LlavaEngine batched = BatchingEngine(ModelVariant.Llava15, 4);
        GenerationOptions greedy = new() { MaxNewTokens = 4 };
        GenerationOptions sampled = new() { MaxNewTokens = 4, Temperature = 0.7f, TopP = 0.9f };
        GenerationOptions seeded = new() { MaxNewTokens = 4, Temperature = 0.7f, Seed = 7 };
        GenerationOptions penalised = new() { MaxNewTokens = 4, RepetitionPenalty = 1.3f };
        GenerationResult[] results = await Task.WhenAll(
            new[] { greedy, sampled, seeded, penalised }.Select(o => batched.GenerateAsync(Messages("chelsea_336x336", "What is this?"), o)));

        Assert.All(results, r => Assert.Equal(4, r.Usage.CompletionTokens));
        Assert.Equal(4, batched.Batching.CompletedBatches);
        Assert.Equal(4, batched.Batching.CompletedRows);
    }

    [Fact]
    public async Task Seeded_sampling_answers_the_same_in_a_busy_engine_as_alone()
    {
        using LlavaEngine alone = TinyEngines.Load(ModelVariant.Llava15, maxConcurrent: 1, maxQueued: 16);
        GenerationOptions seeded = new() { MaxNewTokens = 8, Temperature = 1.0f, Seed = 42 };
        GenerationResult expected = await alone.GenerateAsync(Messages("chelsea_336x336", "What is this?"), seeded);

        using LlavaEngine batched = BatchingEngine(ModelVariant.Llava15, 3);
        GenerationResult[] results = await Task.WhenAll(
            batched.GenerateAsync(Messages("coffee_500x375", "And this?"), new GenerationOptions { MaxNewTokens = 8, Temperature = 1.0f }),
            batched.GenerateAsync(Messages("chelsea_336x336", "What is this?"), seeded),
            batched.GenerateAsync(Messages("astronaut_316x500", "Hi"), new GenerationOptions { MaxNewTokens = 8, Temperature = 1.0f }));

        Assert.Equal(expected.TokenIds, results[1].TokenIds);
    }

    [Fact]
    public async Task A_streamed_row_receives_its_own_text_token_by_token_while_others_share_its_batch()
    {
        using LlavaEngine alone = TinyEngines.Load(ModelVariant.Llava15, maxConcurrent: 1, maxQueued: 16);
        GenerationResult expected = await alone.GenerateAsync(Messages("coffee_500x375", "And this?"), new GenerationOptions { MaxNewTokens = 12 });

        using LlavaEngine batched = BatchingEngine(ModelVariant.Llava15, 2);
        Task<GenerationResult> other = batched.GenerateAsync(Messages("chelsea_336x336", "What is this?"), new GenerationOptions { MaxNewTokens = 5 });
        List<string> deltas = [];
        GenerationResult? streamed = null;
        await foreach (GenerationUpdate update in batched.StreamAsync(Messages("coffee_500x375", "And this?"), new GenerationOptions { MaxNewTokens = 12 }))
        {
            deltas.Add(update.Text);
            streamed ??= update.Completion;
        }

        await other;
        Assert.NotNull(streamed);
        Assert.Equal(expected.TokenIds, streamed.TokenIds);
        Assert.Equal(expected.Text, string.Concat(deltas));
        Assert.True(deltas.Count(d => d.Length > 0) > 1, "the answer arrived in one piece, not as it was generated");
        Assert.Equal(1, batched.Batching.CompletedBatches);
    }

    private static LlavaEngine BatchingEngine(string family, int rows) =>
        // A long window: the batch closes when it is full, so every request of a test lands in one batch.
        TinyEngines.Load(family, maxConcurrent: 1, maxQueued: 16, maxBatchSize: rows, batchWindow: TimeSpan.FromSeconds(1));

    private static PromptMessage[] Messages(string image, string question) => [PromptMessage.User(TinyEngines.Image(image), question)];

    /// <summary>Reads a stream until its first token, then cancels it; returns how many tokens it saw.</summary>
    private static async Task<int> ReadUntilCancelled(LlavaEngine engine, PromptMessage[] messages, CancellationTokenSource cancel)
    {
        int tokens = 0;
        try
        {
            await foreach (GenerationUpdate update in engine.StreamAsync(messages, new GenerationOptions { MaxNewTokens = 16 }, cancel.Token))
            {
                if (update.TokenId is not null)
                {
                    tokens++;
                    await cancel.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            return tokens;
        }

        throw new InvalidOperationException("The cancelled stream ran to its end.");
    }
}
