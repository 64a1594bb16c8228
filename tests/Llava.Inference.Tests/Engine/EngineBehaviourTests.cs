using System.Diagnostics;
using System.Text;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;

namespace Llava.Inference.Tests.Engine;

public sealed class EngineBehaviourTests
{
    private const string Family = "llava-v1.6-mistral";
    private static readonly GenerationOptions s_eight = new() { MaxNewTokens = 8 };

    [Fact]
    public async Task Streaming_and_non_streaming_give_the_same_text()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        PromptMessage[] messages = [PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "Describe the cat.")];
        StringBuilder streamed = new();
        GenerationResult? final = null;

        await foreach (GenerationUpdate update in engine.StreamAsync(messages, s_eight))
        {
            streamed.Append(update.Text);
            final = update.Completion ?? final;
        }

        GenerationResult whole = await engine.GenerateAsync(messages, s_eight);
        Assert.NotNull(final);
        Assert.Equal(whole.Text, streamed.ToString());
        Assert.Equal(whole.Text, final.Text);
        Assert.Equal(whole.TokenIds, final.TokenIds);
        Assert.NotEmpty(whole.Text);
    }

    [Fact]
    public async Task A_request_after_another_answers_as_if_it_ran_alone()
    {
        using LlavaEngine fresh = TinyEngines.Load(Family, 1, 4);
        GenerationResult alone = await fresh.AskAsync(TinyEngines.Image("coffee_500x375"), "What is this?", s_eight);
        LlavaEngine shared = TinyEngines.For(Family);

        await shared.AskAsync(TinyEngines.Image("astronaut_316x500"), "Who is this?", s_eight);
        GenerationResult after = await shared.AskAsync(TinyEngines.Image("coffee_500x375"), "What is this?", s_eight);

        Assert.Equal(alone.TokenIds, after.TokenIds);
    }

    [Fact]
    public async Task Results_carry_usage_and_timings()
    {
        GenerationResult result = await TinyEngines.For(Family).AskAsync(TinyEngines.Image("astronaut_316x500"), "Who?", s_eight);

        Assert.Equal(1526, result.Usage.ImageTokens);
        Assert.True(result.Usage.PromptTokens > 1526);
        Assert.Equal(8, result.Usage.CompletionTokens);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.True(result.Timings.Preprocess > TimeSpan.Zero);
        Assert.True(result.Timings.TimeToFirstToken > TimeSpan.Zero);
        Assert.True(result.Timings.DecodeTokensPerSecond > 0);
    }

    [Fact]
    public async Task Text_only_and_multi_image_conversations_are_served()
    {
        LlavaEngine engine = TinyEngines.For(Family);

        GenerationResult textOnly = await engine.GenerateAsync([PromptMessage.User("Hello there")], s_eight);
        PromptMessage twoImages = new(PromptRole.User, [new ImagePart(TinyEngines.Image("chelsea_336x336")), new ImagePart(TinyEngines.Image("coffee_500x375")), new TextPart("Compare them.")]);
        PreparedPrompt prepared = await engine.PrepareAsync([twoImages]);
        GenerationResult both = await engine.GenerateAsync([twoImages], s_eight);

        Assert.Equal(0, textOnly.Usage.ImageTokens);
        Assert.Equal(8, textOnly.Usage.CompletionTokens);
        Assert.Equal(1176 + 2340, prepared.ImageTokenCount);
        Assert.Equal(3 + 5, prepared.TileCount);
        Assert.Equal(1176 + 2340, both.Usage.ImageTokens);
    }

    [Fact]
    public async Task Multi_turn_history_is_rendered_with_the_family_template()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        PromptMessage[] history =
        [
            PromptMessage.System("Be brief."),
            PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "What animal?"),
            PromptMessage.Assistant("A cat."),
            PromptMessage.User("What colour?"),
        ];

        PreparedPrompt prompt = await engine.PrepareAsync(history);

        Assert.Equal("<<SYS>>\nBe brief.\n<</SYS>>\n\n[INST] <image>\nWhat animal? [/INST] A cat.</s> [INST] What colour? [/INST]", prompt.Text);
        Assert.Equal(1, prompt.TokenIds.Count(id => id == 1));
        Assert.Equal(1, prompt.TokenIds[0]);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_up_front_with_the_numbers()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        int context = engine.Manifest.ContextLength;
        Stopwatch clock = Stopwatch.StartNew();

        PromptTooLongException error = await Assert.ThrowsAsync<PromptTooLongException>(
            () => engine.AskAsync(TinyEngines.Image("coffee_500x375"), "Describe.", new GenerationOptions { MaxNewTokens = context }));

        Assert.Equal(context, error.ContextLength);
        Assert.Equal(2340, error.ImageTokens);
        Assert.Contains(context.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Image_placeholder_text_inside_a_question_is_refused()
    {
        await Assert.ThrowsAsync<InvalidPromptException>(
            () => TinyEngines.For(Family).AskAsync(TinyEngines.Image("chelsea_336x336"), "What is <image> here?", s_eight));
    }

    [Fact]
    public async Task Stop_sequences_end_the_answer_and_are_not_included()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        GenerationResult free = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Describe.", new GenerationOptions { MaxNewTokens = 12 });
        string[] words = free.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string stop = words[2];

        GenerationResult stopped = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Describe.", new GenerationOptions { MaxNewTokens = 12, StopSequences = [stop] });

        Assert.Equal(FinishReason.StopSequence, stopped.FinishReason);
        Assert.DoesNotContain(stop, stopped.Text, StringComparison.Ordinal);
        Assert.StartsWith(stopped.Text, free.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampling_with_a_seed_is_reproducible_and_differs_from_greedy()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        GenerationOptions sampled = new() { MaxNewTokens = 12, Temperature = 1.5f, TopP = 0.95f, TopK = 100, Seed = 7 };

        GenerationResult a = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Describe.", sampled);
        GenerationResult b = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Describe.", sampled);
        GenerationResult greedy = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Describe.", new GenerationOptions { MaxNewTokens = 12 });

        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.NotEqual(greedy.TokenIds, a.TokenIds);
    }

    [Fact]
    public async Task Invalid_generation_options_are_refused_by_name()
    {
        InvalidParameterException error = await Assert.ThrowsAsync<InvalidParameterException>(
            () => TinyEngines.For(Family).AskAsync(TinyEngines.Image("chelsea_336x336"), "Hi", new GenerationOptions { TopP = 1.5f }));

        Assert.Equal(GenerationParameterNames.TopP, error.Parameter);
        Assert.Contains("top_p", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pad_to_square_changes_llava_1_5_pixels_for_non_square_images_only()
    {
        using LlavaEngine cropped = TinyEngines.Load("llava-1.5", 1, 0);
        using LlavaEngine padded = await LlavaEngine.LoadAsync(cropped.Options with { PadToSquare = true });
        byte[] wide = TinyEngines.Image("coffee_500x375");
        byte[] square = TinyEngines.Image("chelsea_336x336");

        PreparedPrompt wideCrop = await cropped.PrepareAsync([PromptMessage.User(wide, "?")]);
        PreparedPrompt widePad = await padded.PrepareAsync([PromptMessage.User(wide, "?")]);
        PreparedPrompt squareCrop = await cropped.PrepareAsync([PromptMessage.User(square, "?")]);
        PreparedPrompt squarePad = await padded.PrepareAsync([PromptMessage.User(square, "?")]);

        Assert.NotEqual((float[])wideCrop.PixelValues, (float[])widePad.PixelValues);
        Assert.Equal((float[])squareCrop.PixelValues, (float[])squarePad.PixelValues);
        Assert.Equal(576, widePad.ImageTokenCount);
    }
}
