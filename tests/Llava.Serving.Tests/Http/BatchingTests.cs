using System.ClientModel;
using Llava.Inference.Engine;
using Llava.Serving.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Llava.Serving.Tests.Http;

/// <summary>`llava serve --max-batch N`: concurrent OpenAI chat completions are answered together, as they would be alone.</summary>
public sealed class BatchingTests
{
    private static readonly string[] s_questions = ["What is in this picture?", "Describe it.", "Which colours?", "Hi"];

    [Fact]
    public async Task Concurrent_chat_completions_share_one_batch_and_get_the_answers_they_get_one_after_another()
    {
        // A long window: the batch closes when all four have arrived, however slowly this machine reads them.
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 1, maxBatchSize: s_questions.Length) with { BatchWindow = TimeSpan.FromSeconds(1) });
        LlavaEngine engine = await server.EngineAsync();
        ChatClient client = new("llava", new ApiKeyCredential("any-key"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1") });
        byte[] image = TinyServing.Image("coffee_500x375");

        List<string> sequential = [];
        foreach (string question in s_questions)
        {
            sequential.Add(await AskAsync(client, image, question));
        }

        long batchesBefore = engine.Batching.CompletedBatches;
        string[] concurrent = await Task.WhenAll(s_questions.Select(q => AskAsync(client, image, q)));

        Assert.Equal(sequential, concurrent);
        Assert.Equal(1, engine.Batching.CompletedBatches - batchesBefore);
        Assert.Equal(0, engine.ReservedBytes);
    }

    private static async Task<string> AskAsync(ChatClient client, byte[] image, string question)
    {
        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(image), "image/png"), ChatMessageContentPart.CreateTextPart(question))],
            new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 });
        return Assert.Single(completion.Content).Text;
    }
}
