using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Engine;

public sealed class EngineBudgetTests
{
    private const string Family = "llava-1.5";

    private static readonly byte[] s_notAnImageBody = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    private static LlavaEngine Load(long budget, int maxConcurrent = 1, int maxQueued = 0, int maxImages = 4, long maxImageBytes = 20L << 20) =>
        LlavaEngine.LoadAsync(new LlavaEngineOptions
        {
            ModelPath = TinyModels.Model(Family),
            MaxConcurrentGenerations = maxConcurrent,
            MaxQueuedRequests = maxQueued,
            MemoryBudgetBytes = budget,
            MaxImagesPerRequest = maxImages,
            MaxImageBytes = maxImageBytes,
        }).GetAwaiter().GetResult();

    private static PromptMessage ManyTextParts(byte[] image, int parts)
    {
        List<PromptPart> content = [new ImagePart(image)];
        for (int i = 0; i < parts; i++)
        {
            content.Add(new TextPart(" cat"));
        }

        return new PromptMessage(PromptRole.User, content);
    }

    [Fact]
    public async Task A_prompt_over_the_budget_is_refused_by_name_before_its_image_is_decoded()
    {
        using LlavaEngine engine = Load(256L << 20, maxImageBytes: 1000);
        // The loader refuses images over 1000 bytes: had the image been loaded, the error would be an image rejection.
        byte[] image = TinyEngines.Image("chelsea_336x336");
        Assert.True(image.Length > 1000);
        PromptMessage message = ManyTextParts(image, 1700);
        Assert.Equal(336L * 336, engine.Measure([message], 4).LargestImagePixels);

        RequestOverBudgetException e = await Assert.ThrowsAsync<RequestOverBudgetException>(() => engine.GenerateAsync([message], new GenerationOptions { MaxNewTokens = 4 }));

        Assert.Equal(RequestLimit.PromptTokens, e.Limit);
        Assert.True(e.Value > 1700);
        Assert.InRange(e.Maximum, 577, e.Value - 1);
        Assert.Equal(0, engine.InFlight);
        Assert.Equal(0, engine.ReservedBytes);
        await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(image, "Hi", new GenerationOptions { MaxNewTokens = 2 }));
    }

    [Fact]
    public async Task The_estimate_of_a_request_follows_its_size()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        byte[] image = TinyEngines.Image("chelsea_336x336");

        RequestShape small = engine.Measure([ManyTextParts(image, 10)], 4);
        RequestShape large = engine.Measure([ManyTextParts(image, 2000)], 4);

        Assert.Equal(1, small.Tiles);
        Assert.Equal(576, small.ImageTokens);
        Assert.Equal(336L * 336, small.LargestImagePixels);
        Assert.Equal(image.Length, small.EncodedBytes);
        // Every " cat" part is the same tokens: the difference is a whole multiple of 1990.
        Assert.True(large.PromptTokens - small.PromptTokens >= 1990);
        Assert.Equal(0, (large.PromptTokens - small.PromptTokens) % 1990);
        long smallBytes = engine.MemoryBudget.Estimator.Estimate(small).Total;
        long largeBytes = engine.MemoryBudget.Estimator.Estimate(large).Total;
        Assert.True(largeBytes > 2 * smallBytes);
        PreparedPrompt prepared = await engine.PrepareAsync([ManyTextParts(image, 2000)]);
        Assert.Equal(large.PromptTokens, prepared.TokenIds.Length);
    }

    [Fact]
    public async Task Too_many_images_are_refused_with_the_limit_and_the_count()
    {
        using LlavaEngine engine = Load(1L << 30, maxImages: 2);
        byte[] image = TinyEngines.Image("chelsea_336x336");
        PromptMessage message = new(PromptRole.User, [new ImagePart(image), new ImagePart(image), new ImagePart(image), new TextPart("Compare.")]);

        RequestOverBudgetException e = await Assert.ThrowsAsync<RequestOverBudgetException>(() => engine.GenerateAsync([message]));

        Assert.Equal(RequestLimit.Images, e.Limit);
        Assert.Equal(3, e.Value);
        Assert.Equal(2, e.Maximum);
    }

    [Fact]
    public async Task The_reservation_is_returned_after_success_and_after_a_refused_image()
    {
        using LlavaEngine engine = Load(1L << 30, maxConcurrent: 2, maxQueued: 2);
        await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal(0, engine.ReservedBytes);

        await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(s_notAnImageBody, "Hi", new GenerationOptions { MaxNewTokens = 2 }));
        Assert.Equal(0, engine.ReservedBytes);
        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task Concurrent_requests_never_reserve_more_than_the_budget()
    {
        byte[] image = TinyEngines.Image("chelsea_336x336");
        LlavaEngine probe = TinyEngines.For(Family);
        long one = probe.MemoryBudget.Estimator.Estimate(probe.Measure([PromptMessage.User(image, "Describe.")], 8)).Total;
        // Room for one and a half requests, slots for four: the bytes decide.
        using LlavaEngine engine = Load(one + (one / 2), maxConcurrent: 4, maxQueued: 8);
        long most = 0;
        using CancellationTokenSource done = new();
        Task watcher = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                most = Math.Max(most, engine.ReservedBytes);
                Assert.True(engine.InFlight <= 1);
                await Task.Yield();
            }
        });

        GenerationResult[] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => engine.AskAsync(image, "Describe.", new GenerationOptions { MaxNewTokens = 8 })));
        await done.CancelAsync();
        await watcher;

        Assert.All(results, r => Assert.NotEmpty(r.TokenIds));
        Assert.InRange(most, 1, engine.MemoryBudget.BudgetBytes);
        Assert.Equal(0, engine.ReservedBytes);
    }

    public static TheoryData<GenerationOptions, string> BadOptions() => new()
    {
        { new GenerationOptions { Temperature = float.NaN }, GenerationParameterNames.Temperature },
        { new GenerationOptions { Temperature = float.PositiveInfinity }, GenerationParameterNames.Temperature },
        { new GenerationOptions { Temperature = 1, TopP = float.NaN }, GenerationParameterNames.TopP },
        { new GenerationOptions { Temperature = 1, TopP = 0 }, GenerationParameterNames.TopP },
        { new GenerationOptions { Temperature = 1, TopK = 32065 }, GenerationParameterNames.TopK },
        { new GenerationOptions { Temperature = 1, TopK = int.MaxValue }, GenerationParameterNames.TopK },
        { new GenerationOptions { Temperature = 1, TopK = 0 }, GenerationParameterNames.TopK },
        { new GenerationOptions { RepetitionPenalty = float.NaN }, GenerationParameterNames.RepetitionPenalty },
        { new GenerationOptions { RepetitionPenalty = float.PositiveInfinity }, GenerationParameterNames.RepetitionPenalty },
        { new GenerationOptions { RepetitionPenalty = 0 }, GenerationParameterNames.RepetitionPenalty },
        { new GenerationOptions { MaxNewTokens = 0 }, GenerationParameterNames.MaxTokens },
        { new GenerationOptions { StopSequences = [""] }, GenerationParameterNames.Stop },
        { new GenerationOptions { Constraint = OutputConstraint.JsonSchema("{not json") }, GenerationParameterNames.ResponseFormat },
        { new GenerationOptions { Constraint = OutputConstraint.JsonSchema("[1, 2]") }, GenerationParameterNames.ResponseFormat },
        { new GenerationOptions { Constraint = OutputConstraint.JsonSchema("\"string\"") }, GenerationParameterNames.ResponseFormat },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task An_invalid_parameter_is_refused_by_name_before_a_slot_is_taken(GenerationOptions options, string parameter)
    {
        LlavaEngine engine = TinyEngines.For(Family);

        InvalidParameterException e = await Assert.ThrowsAsync<InvalidParameterException>(() => engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", options));

        Assert.Equal(parameter, e.Parameter);
        Assert.Contains(parameter, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_k_equal_to_the_vocabulary_is_allowed()
    {
        LlavaEngine engine = TinyEngines.For(Family);

        GenerationResult result = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", new GenerationOptions { Temperature = 1, TopK = engine.Manifest.VocabSize, MaxNewTokens = 2, Seed = 1 });

        Assert.NotEmpty(result.TokenIds);
    }

    [Fact]
    public async Task Max_tokens_at_int_max_is_a_prompt_too_long_with_exact_numbers_not_an_overflow()
    {
        LlavaEngine engine = TinyEngines.For(Family);

        PromptTooLongException e = await Assert.ThrowsAsync<PromptTooLongException>(
            () => engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", new GenerationOptions { MaxNewTokens = int.MaxValue }));

        Assert.Equal(int.MaxValue, e.MaxNewTokens);
        Assert.Contains(((long)e.PromptTokens + int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_regex_llguidance_cannot_compile_is_an_invalid_response_format()
    {
        // Its own engine: the shared one may hold other tests' reservations when this one reads ReservedBytes.
        using LlavaEngine engine = Load(4L << 30);

        InvalidParameterException e = await Assert.ThrowsAsync<InvalidParameterException>(
            () => engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", new GenerationOptions { MaxNewTokens = 2, Constraint = OutputConstraint.Regex("(a") }));

        Assert.Equal(GenerationParameterNames.ResponseFormat, e.Parameter);
        Assert.Equal(0, engine.ReservedBytes);
    }

    [Fact]
    public async Task An_extreme_aspect_ratio_is_answered_and_reserves_one_crop_not_its_whole_resize()
    {
        // Its own engine: the shared one may hold other tests' reservations when this one reads ReservedBytes.
        // 1 x 8000 once made a 336 x 2,688,000 resize buffer (an OverflowException); only the centre crop is built now.
        using LlavaEngine engine = Load(4L << 30);
        using SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> strip = new(1, 8000);
        byte[] png = Images.SyntheticImages.Encode(strip, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
        PromptMessage message = new(PromptRole.User, [new ImagePart(png), new TextPart("Hi")]);

        Assert.Equal(336L * 336, engine.Measure([message], 2).LargestIntermediatePixels);
        GenerationResult result = await engine.AskAsync(png, "Hi", new GenerationOptions { MaxNewTokens = 2 });

        Assert.True(result.Usage.ImageTokens > 0);
        Assert.Equal(0, engine.ReservedBytes);
    }
}
