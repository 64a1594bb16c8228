using System.Text;
using Llava.Inference.Chat;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Inference.Tests.Engine;
using Microsoft.Extensions.AI;

namespace Llava.Inference.Tests.Chat;

public sealed class LlavaChatClientTests
{
    private const string Family = "llava-1.5";

    [Fact]
    public async Task An_image_as_DataContent_reaches_the_model_and_the_answer_equals_the_engine_s()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        using IChatClient client = new LlavaChatClient(engine);
        byte[] image = TinyEngines.Image("chelsea_336x336");
        ChatMessage message = new(ChatRole.User, [new DataContent(image, "image/png"), new TextContent("What is this?")]);

        ChatResponse response = await client.GetResponseAsync([message], new ChatOptions { MaxOutputTokens = 8 });

        GenerationResult direct = await engine.GenerateAsync([new PromptMessage(PromptRole.User, [new ImagePart(image), new TextPart("What is this?")])], new GenerationOptions { MaxNewTokens = 8 });
        Assert.Equal(direct.Text, response.Text);
        Assert.Equal(direct.Usage.PromptTokens, response.Usage?.InputTokenCount);
        Assert.Equal(8, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal("llava-1.5", response.ModelId);
    }

    [Fact]
    public async Task Streaming_updates_add_up_to_the_non_streaming_answer()
    {
        using IChatClient client = new LlavaChatClient(TinyEngines.For(Family));
        ChatMessage[] messages = [new(ChatRole.User, [new DataContent(TinyEngines.Image("coffee_500x375"), "image/png"), new TextContent("Describe.")])];
        ChatOptions options = new() { MaxOutputTokens = 10 };
        StringBuilder streamed = new();
        UsageDetails? usage = null;

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options))
        {
            streamed.Append(update.Text);
            usage = update.Contents.OfType<UsageContent>().SingleOrDefault()?.Details ?? usage;
        }

        ChatResponse whole = await client.GetResponseAsync(messages, options);
        Assert.Equal(whole.Text, streamed.ToString());
        Assert.Equal(10, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Chat_options_map_onto_decoding()
    {
        using IChatClient client = new LlavaChatClient(TinyEngines.For(Family));
        ChatMessage[] messages = [new(ChatRole.User, [new DataContent(TinyEngines.Image("coffee_500x375"), "image/png"), new TextContent("Describe.")])];
        ChatOptions sampled = new() { MaxOutputTokens = 10, Temperature = 1.5f, TopP = 0.9f, TopK = 50, Seed = 11 };

        ChatResponse a = await client.GetResponseAsync(messages, sampled);
        ChatResponse b = await client.GetResponseAsync(messages, sampled);
        ChatResponse greedy = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 10 });
        ChatResponse shortOne = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 3 });

        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(greedy.Text, a.Text);
        Assert.Equal(3, shortOne.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Images_by_url_are_refused_rather_than_fetched()
    {
        using IChatClient client = new LlavaChatClient(TinyEngines.For(Family));
        ChatMessage message = new(ChatRole.User, [new UriContent(new Uri("https://example.invalid/cat.png"), "image/png"), new TextContent("?")]);

        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([message]));
    }

    [Fact]
    public void The_client_exposes_its_engine_and_metadata_as_services()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        using IChatClient client = new LlavaChatClient(engine);

        Assert.Same(engine, client.GetService<LlavaEngine>());
        Assert.Equal("llava", client.GetService<ChatClientMetadata>()?.ProviderName);
    }
}
