using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

public sealed class AskTests(ReadyServerFixture fixture) : IClassFixture<ReadyServerFixture>
{
    private const string Question = "What is in the picture?";
    private readonly ServingServer _server = fixture.Server;

    [Fact]
    public async Task A_multipart_upload_gets_the_engine_s_answer_with_usage_and_timings()
    {
        byte[] image = TinyServing.Image();
        GenerationResult expected = await (await _server.EngineAsync()).AskAsync(image, Question, new GenerationOptions { MaxNewTokens = 12 });

        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", Requests.Multipart(image, Question, ("maxTokens", "12")));
        JsonElement body = await ReadOkAsync(response);

        Assert.NotEmpty(expected.Text);
        Assert.Equal(expected.Text, body.GetProperty("answer").GetString());
        Assert.Equal(expected.FinishReason == FinishReason.Length ? "length" : "stop", body.GetProperty("finishReason").GetString());
        JsonElement usage = body.GetProperty("usage");
        Assert.Equal(expected.Usage.PromptTokens, usage.GetProperty("promptTokens").GetInt32());
        Assert.Equal(576, usage.GetProperty("imageTokens").GetInt32());
        Assert.Equal(expected.Usage.CompletionTokens, usage.GetProperty("completionTokens").GetInt32());
        Assert.Equal(expected.Usage.TotalTokens, usage.GetProperty("totalTokens").GetInt32());
        JsonElement timings = body.GetProperty("timings");
        Assert.True(timings.GetProperty("preprocessMs").GetDouble() > 0);
        Assert.True(timings.GetProperty("timeToFirstTokenMs").GetDouble() > 0);
        Assert.True(timings.GetProperty("queueMs").GetDouble() >= 0);
        Assert.True(timings.GetProperty("decodeMs").GetDouble() >= 0);
        Assert.True(timings.GetProperty("tokensPerSecond").GetDouble() >= 0);
        Assert.Equal("llava-1.5", body.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_JSON_ask_with_base64_or_a_data_URL_gets_the_same_answer_as_multipart(bool dataUrl)
    {
        byte[] image = TinyServing.Image("coffee_500x375");
        GenerationResult expected = await (await _server.EngineAsync()).AskAsync(image, Question, new GenerationOptions { MaxNewTokens = 10 });
        JsonObject request = new()
        {
            ["question"] = Question,
            ["image"] = dataUrl ? TinyServing.DataUrl(image) : Convert.ToBase64String(image),
            ["maxTokens"] = 10,
        };

        using HttpResponseMessage json = await _server.Client.PostAsync("/api/ask", Requests.Json(request));
        using HttpResponseMessage multipart = await _server.Client.PostAsync("/api/ask", Requests.Multipart(image, Question, ("maxTokens", "10")));

        Assert.Equal(expected.Text, (await ReadOkAsync(json)).GetProperty("answer").GetString());
        Assert.Equal(expected.Text, (await ReadOkAsync(multipart)).GetProperty("answer").GetString());
    }

    [Fact]
    public async Task System_prompt_stop_sequences_and_sampling_fields_reach_the_engine()
    {
        byte[] image = TinyServing.Image();
        LlavaEngine engine = await _server.EngineAsync();
        GenerationOptions sampling = new() { MaxNewTokens = 8, Temperature = 0.8f, TopP = 0.9f, TopK = 20, Seed = 42 };
        GenerationResult expected = await engine.GenerateAsync([PromptMessage.System("Be brief."), PromptMessage.User(image, Question)], sampling);
        JsonObject request = new()
        {
            ["question"] = Question,
            ["system"] = "Be brief.",
            ["image"] = Convert.ToBase64String(image),
            ["maxTokens"] = 8,
            ["temperature"] = 0.8,
            ["topP"] = 0.9,
            ["topK"] = 20,
            ["seed"] = 42,
        };

        using HttpResponseMessage json = await _server.Client.PostAsync("/api/ask", Requests.Json(request));
        using HttpResponseMessage form = await _server.Client.PostAsync("/api/ask", Requests.Multipart(image, Question, ("system", "Be brief."), ("maxTokens", "8"), ("temperature", "0.8"), ("topP", "0.9"), ("topK", "20"), ("seed", "42")));

        Assert.Equal(expected.Text, (await ReadOkAsync(json)).GetProperty("answer").GetString());
        Assert.Equal(expected.Text, (await ReadOkAsync(form)).GetProperty("answer").GetString());

        // A stop sequence taken from the greedy answer ends it there.
        GenerationResult greedy = await engine.AskAsync(image, Question, new GenerationOptions { MaxNewTokens = 12 });
        string stop = greedy.Text.Trim()[^2..];
        using HttpResponseMessage stopped = await _server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = Question, ["image"] = Convert.ToBase64String(image), ["maxTokens"] = 12, ["stop"] = new JsonArray(stop) }));
        JsonElement stoppedBody = await ReadOkAsync(stopped);
        Assert.Equal("stop_sequence", stoppedBody.GetProperty("finishReason").GetString());
        Assert.DoesNotContain(stop, stoppedBody.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task An_image_URL_is_refused_with_400_and_never_fetched_when_the_host_has_no_resolver()
    {
        using TcpListener bait = new(IPAddress.Loopback, 0);
        bait.Start();
        string url = $"http://127.0.0.1:{((IPEndPoint)bait.LocalEndpoint).Port}/cat.png";
        Task<TcpClient> accepted = bait.AcceptTcpClientAsync();

        using HttpResponseMessage json = await _server.Client.PostAsync("/api/ask", Requests.Json(new JsonObject { ["question"] = Question, ["imageUrl"] = url }));
        using MultipartFormDataContent form = new() { { new StringContent(Question), "question" }, { new StringContent(url), "imageUrl" } };
        using HttpResponseMessage multipart = await _server.Client.PostAsync("/api/ask", form);

        await Requests.AssertProblemAsync(json, 400, "image_reference_refused");
        await Requests.AssertProblemAsync(multipart, 400, "image_reference_refused");
        await Task.Delay(200);
        Assert.False(accepted.IsCompleted, "the server connected to the image URL");
    }

    [Theory]
    [InlineData("""{"image":"AAAA"}""", "invalid_request", "'question' is required")]
    [InlineData("""{"question":"Hi"}""", "invalid_request", "An image is required")]
    [InlineData("""{"question":"Hi","image":"not base64!"}""", "invalid_image", "not valid base64")]
    [InlineData("""{"question":"Hi","image":"data:image/png,abc"}""", "invalid_request", "base64 data: URL")]
    [InlineData("""{"question":"Hi","image":"AAAA","maxTokens":"ten"}""", "invalid_request", "'maxTokens' must be an integer")]
    [InlineData("""{"question":"Hi","image":"AAAA","seed":-1}""", "invalid_request", "'seed' must be a non-negative integer")]
    [InlineData("""{"question":"Hi", "image": """, "invalid_json", "not valid JSON")]
    [InlineData("""[1, 2]""", "invalid_request", "must be a JSON object")]
    public async Task Malformed_JSON_asks_get_400_problem_documents_that_say_what_is_wrong(string body, string code, string detail)
    {
        using StringContent content = new(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", content);

        JsonElement problem = await Requests.AssertProblemAsync(response, 400, code);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        Assert.Equal("/api/ask", problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Invalid_generation_options_are_400()
    {
        JsonObject request = new() { ["question"] = Question, ["image"] = Convert.ToBase64String(TinyServing.Image()), ["temperature"] = -1 };

        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", Requests.Json(request));

        JsonElement problem = await Requests.AssertProblemAsync(response, 400, "invalid_request");
        Assert.Contains("temperature", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_that_is_neither_multipart_nor_JSON_is_415()
    {
        using StringContent content = new("question=hi", Encoding.UTF8, "application/x-www-form-urlencoded");

        using HttpResponseMessage response = await _server.Client.PostAsync("/api/ask", content);

        await Requests.AssertProblemAsync(response, 415, "unsupported_media_type");
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_the_framework_s_404_and_405()
    {
        using HttpResponseMessage unknown = await _server.Client.GetAsync("/api/nothing-here");
        using HttpResponseMessage wrongMethod = await _server.Client.GetAsync("/api/ask");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    private static async Task<JsonElement> ReadOkAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }
}
