using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Llava.Serving.Tests.Http;

public sealed class ChatCompletionsTests(ReadyServerFixture fixture) : IClassFixture<ReadyServerFixture>
{
    private const string Question = "What is in this picture?";
    private readonly ServingServer _server = fixture.Server;

    [Fact]
    public async Task The_official_OpenAI_client_gets_the_engine_s_answer_for_an_image_data_URL()
    {
        byte[] image = TinyServing.Image();
        GenerationResult expected = await (await _server.EngineAsync()).AskAsync(image, Question, new GenerationOptions { MaxNewTokens = 12 });
        ChatClient client = Client("llava-tiny");

        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(image), "image/png"), ChatMessageContentPart.CreateTextPart(Question))],
            new ChatCompletionOptions { MaxOutputTokenCount = 12 });

        Assert.NotEmpty(expected.Text);
        Assert.Equal(expected.Text, Assert.Single(completion.Content).Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(expected.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("llava-tiny", completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(expected.Usage.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(expected.Usage.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.Usage.TotalTokens, completion.Usage.TotalTokenCount);
        Assert.InRange(completion.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task The_official_OpenAI_client_streams_the_same_answer_with_a_finish_reason_and_usage()
    {
        byte[] image = TinyServing.Image("astronaut_316x500");
        LlavaEngine engine = await _server.EngineAsync();
        GenerationResult expected = await engine.GenerateAsync(
            [PromptMessage.System("You describe images."), PromptMessage.User(image, Question)],
            new GenerationOptions { MaxNewTokens = 10 });
        ChatClient client = Client("llava");
        StringBuilder text = new();
        List<ChatFinishReason> finishes = [];
        ChatTokenUsage? usage = null;
        int updates = 0;

        await foreach (StreamingChatCompletionUpdate update in client.CompleteChatStreamingAsync(
            [new SystemChatMessage("You describe images."), new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(image), "image/png"), ChatMessageContentPart.CreateTextPart(Question))],
            new ChatCompletionOptions { MaxOutputTokenCount = 10 }))
        {
            updates++;
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            if (update.FinishReason is { } finish)
            {
                finishes.Add(finish);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal(expected.Text, text.ToString());
        Assert.True(updates > 3, $"only {updates} updates");
        Assert.Equal(expected.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, Assert.Single(finishes));
        Assert.NotNull(usage);
        Assert.Equal(expected.Usage.CompletionTokens, usage.OutputTokenCount);
        Assert.Equal(expected.Usage.PromptTokens, usage.InputTokenCount);
    }

    [Fact]
    public async Task The_raw_stream_is_OpenAI_s_chunk_format_and_ends_with_DONE()
    {
        JsonObject request = ChatRequest(TinyServing.Image(), maxTokens: 6);
        request["stream"] = true;
        request["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage response = await _server.Client.PostAsync("/v1/chat/completions", Requests.Json(request));
        string raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("data: [DONE]\n\n", raw, StringComparison.Ordinal);
        List<SseItem> items = [];
        await foreach (SseItem item in SseParser.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(raw))))
        {
            if (!item.IsComment)
            {
                items.Add(item);
            }
        }

        Assert.All(items, i => Assert.Equal("message", i.Event));
        Assert.Equal("[DONE]", items[^1].Data);
        JsonElement[] chunks = [.. items[..^1].Select(i => JsonDocument.Parse(i.Data).RootElement)];
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        JsonElement first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finish_reason").ValueKind);
        JsonElement last = chunks[^2].GetProperty("choices")[0];
        Assert.Equal("length", last.GetProperty("finish_reason").GetString());
        JsonElement usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(6, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(6, chunks[1..^2].Length);
        Assert.All(chunks[1..^2], c => Assert.True(c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out _)));
    }

    [Fact]
    public async Task A_non_streaming_response_has_the_chat_completion_shape()
    {
        JsonObject request = ChatRequest(TinyServing.Image(), maxTokens: 4);
        request["model"] = "whatever-the-client-says";

        using HttpResponseMessage response = await _server.Client.PostAsync("/v1/chat/completions", Requests.Json(request));
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("whatever-the-client-says", body.GetProperty("model").GetString());
        JsonElement choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task A_json_schema_response_format_yields_JSON_that_matches_it()
    {
        const string Schema = """{"type":"object","properties":{"animal":{"enum":["cat","dog","bird"]}},"required":["animal"],"additionalProperties":false,"x-guidance":{"whitespace_flexible":false}}""";
        ChatClient client = Client("llava");

        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TinyServing.Image()), "image/png"), ChatMessageContentPart.CreateTextPart("Which animal? Answer in JSON."))],
            new ChatCompletionOptions { MaxOutputTokenCount = 40, ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("animal", BinaryData.FromString(Schema)) });

        using JsonDocument json = JsonDocument.Parse(completion.Content[0].Text);
        Assert.Matches("^(cat|dog|bird)$", json.RootElement.GetProperty("animal").GetString());
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
    }

    [Theory]
    [InlineData("""{"messages":[]}""", 400, "invalid_request", "'messages' must be a non-empty array")]
    [InlineData("""{"messages":[{"role":"tool","content":"x"}]}""", 400, "invalid_request", "'messages[0].role'")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"input_audio"}]}]}""", 400, "invalid_request", "'messages[0].content[0].type'")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"n":2}""", 400, "invalid_request", "'n' must be 1")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":4095}""", 400, "prompt_too_long", "context holds 4096")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":5000}""", 400, "invalid_request", "'max_tokens' must be at most the model's context length, 4096")]
    [InlineData("""{"messages":[{"role":"assistant","content":"hi"}]}""", 400, "invalid_request", "user message")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""", 415, "unsupported_image", "send JPEG, PNG")]
    [InlineData("""{"messages": """, 400, "invalid_json", "not valid JSON")]
    public async Task Errors_come_in_OpenAI_s_envelope_with_their_status(string body, int status, string code, string message)
    {
        using StringContent content = new(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _server.Client.PostAsync("/v1/chat/completions", content);

        JsonElement error = await AssertOpenAiErrorAsync(response, status, code);
        Assert.Contains(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_OpenAI_client_sees_a_bad_image_as_a_415_client_error()
    {
        ChatClient client = Client("llava");

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TinyServing.BadImage("tiny.tiff")), "image/tiff"), ChatMessageContentPart.CreateTextPart("?"))]));

        Assert.Equal(415, error.Status);
    }

    [Fact]
    public async Task An_http_image_URL_is_refused_with_400_and_never_fetched()
    {
        using TcpListener bait = new(IPAddress.Loopback, 0);
        bait.Start();
        Task<TcpClient> accepted = bait.AcceptTcpClientAsync();
        JsonObject request = new()
        {
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = $"http://127.0.0.1:{((IPEndPoint)bait.LocalEndpoint).Port}/x.png" } },
                    new JsonObject { ["type"] = "text", ["text"] = "?" }),
            }),
        };

        using HttpResponseMessage response = await _server.Client.PostAsync("/v1/chat/completions", Requests.Json(request));

        await AssertOpenAiErrorAsync(response, 400, ApiErrorCodes.ImageReferenceRefused);
        await Task.Delay(200);
        Assert.False(accepted.IsCompleted, "the server connected to the image URL");
    }

    [Fact]
    public async Task A_busy_engine_is_503_with_Retry_After_in_OpenAI_s_envelope()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 1, maxQueued: 0));
        await using SlotHolder holder = await SlotHolder.StartAsync(server);

        using HttpResponseMessage response = await server.Client.PostAsync("/v1/chat/completions", Requests.Json(ChatRequest(TinyServing.Image(), maxTokens: 2)));

        await AssertOpenAiErrorAsync(response, 503, ApiErrorCodes.EngineBusy);
        Requests.AssertRetryAfter(response);
    }

    private static JsonObject ChatRequest(byte[] image, int maxTokens) => new()
    {
        ["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = TinyServing.DataUrl(image) } },
                new JsonObject { ["type"] = "text", ["text"] = Question }),
        }),
        ["max_tokens"] = maxTokens,
    };

    private static async Task<JsonElement> AssertOpenAiErrorAsync(HttpResponseMessage response, int status, string code)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonElement error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(status >= 500 ? "server_error" : "invalid_request_error", error.GetProperty("type").GetString());
        return error;
    }

    private ChatClient Client(string model) => new(model, new ApiKeyCredential("any-key"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseAddress, "/v1") });
}
