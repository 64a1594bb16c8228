using System.Net;
using System.Text;
using System.Text.Json;
using Llava.Serving.Http.Errors;
using Llava.Serving.Tests.Infrastructure;

namespace Llava.Serving.Tests.Http;

/// <summary>
/// The edge's checks that the abuse set does not show by itself: the field named on both error surfaces, valid
/// text that must still pass (surrogate pairs, a byte order mark), and request limits that follow their settings.
/// </summary>
public sealed class EdgeValidationTests(ReadyServerFixture fixture) : IClassFixture<ReadyServerFixture>
{
    private readonly ServingServer _server = fixture.Server;

    [Fact]
    public async Task A_bad_field_is_named_in_the_problem_document_and_in_OpenAI_s_envelope()
    {
        using HttpResponseMessage ask = await _server.Client.PostAsync("/api/ask", Requests.Multipart(TinyServing.Image(), "?", ("temperature", "NaN")));
        using HttpResponseMessage chat = await PostChatAsync(_server, """{"temperature":"NaN","messages":[{"role":"user","content":"hi"}]}""");

        JsonElement problem = await Requests.AssertProblemAsync(ask, 400, ApiErrorCodes.InvalidRequest);
        Assert.Equal("temperature", problem.GetProperty("param").GetString());
        Assert.Contains("'temperature'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, chat.StatusCode);
        JsonElement error = JsonDocument.Parse(await chat.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("temperature", error.GetProperty("param").GetString());
        Assert.Equal(ApiErrorCodes.InvalidRequest, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Errors_without_a_field_have_no_param_member_and_a_null_OpenAI_param()
    {
        using HttpResponseMessage ask = await _server.Client.PostAsync("/api/ask", new StringContent("{", Encoding.UTF8, "application/json"));
        using HttpResponseMessage chat = await PostChatAsync(_server, "{");

        JsonElement problem = await Requests.AssertProblemAsync(ask, 400, ApiErrorCodes.InvalidJson);
        Assert.False(problem.TryGetProperty("param", out _));
        JsonElement error = JsonDocument.Parse(await chat.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
    }

    [Theory]
    [InlineData("""{"max_tokens":2,"messages":[{"role":"user","content":"smile \ud83d\ude00 \u00e9 \u4e2d"}]}""")]
    [InlineData("""{"max_tokens":2,"messages":[{"role":"user","content":"escapes \" \\ \/ \b \f \n \r \t \u0000 \uD83D\uDE00"}]}""")]
    [InlineData("\uFEFF{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"a byte order mark first\"}]}")]
    [InlineData("""{"max_tokens":2,"stop":["\ud83d\ude00"],"messages":[{"role":"user","content":"raw UTF-8: é 中 😀"}]}""")]
    public async Task Valid_text_with_surrogate_pairs_escapes_and_a_byte_order_mark_is_answered(string body)
    {
        using HttpResponseMessage response = await PostChatAsync(_server, body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_valid_schema_with_local_references_passes_the_edge()
    {
        // max_tokens at the context length: the edge lets the request through and the engine refuses it as too long
        // before generating, which shows the schema was accepted without running guided decoding here (ONNX Runtime
        // GenAI 0.18's guidance can crash the process when max_tokens ends inside forced tokens; see the report).
        int context = (await _server.EngineAsync()).Manifest.ContextLength;
        string body = """
            {"max_tokens":CONTEXT,"messages":[{"role":"user","content":"Describe."}],
             "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{
               "type":"object","$defs":{"colour":{"type":"string","enum":["red","green"]}},
               "properties":{"colour":{"$ref":"#/$defs/colour"},"count":{"type":["integer","null"],"minimum":0},"tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":2}},
               "required":["colour"],"additionalProperties":false}}}}
            """.Replace("CONTEXT", context.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using HttpResponseMessage response = await PostChatAsync(_server, body);

        string answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(ApiErrorCodes.PromptTooLong, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_request_limits_follow_their_settings()
    {
        await using ServingServer strict = await ServingServer.StartReadyAsync(api: o =>
        {
            o.MaxContentParts = 3;
            o.MaxMessages = 2;
            o.MaxPromptChars = 10;
            o.MaxStopSequences = 1;
            o.MaxStopSequenceChars = 2;
        });

        (string Body, string Code, string Param)[] over =
        [
            ("""{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"},{"type":"text","text":"d"}]}]}""", ApiErrorCodes.TooManyContentParts, "messages[0].content[3]"),
            ("""{"messages":[{"role":"system","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"}]}""", ApiErrorCodes.TooManyMessages, "messages[2]"),
            ("""{"messages":[{"role":"system","content":"12345"},{"role":"user","content":"123456"}]}""", ApiErrorCodes.PromptTextTooLong, "messages[1].content"),
            ("""{"stop":["a","b"],"messages":[{"role":"user","content":"hi"}]}""", ApiErrorCodes.InvalidRequest, "stop"),
            ("""{"stop":"abc","messages":[{"role":"user","content":"hi"}]}""", ApiErrorCodes.InvalidRequest, "stop"),
        ];
        foreach ((string body, string code, string param) in over)
        {
            using HttpResponseMessage response = await PostChatAsync(strict, body);
            JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && error.GetProperty("code").GetString() == code && error.GetProperty("param").GetString() == param, $"{body}: {(int)response.StatusCode} {error}");
        }

        using HttpResponseMessage within = await PostChatAsync(strict, """{"max_tokens":2,"stop":"ab","messages":[{"role":"system","content":"12345"},{"role":"user","content":[{"type":"text","text":"12"},{"type":"text","text":"345"}]}]}""");
        Assert.True(within.StatusCode == HttpStatusCode.OK, await within.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Max_tokens_up_to_the_context_length_passes_the_edge_and_one_more_is_refused_naming_the_field()
    {
        int context = (await _server.EngineAsync()).Manifest.ContextLength;

        using HttpResponseMessage atContext = await PostChatAsync(_server, $$"""{"max_tokens":{{context}},"messages":[{"role":"user","content":"hi"}]}""");
        using HttpResponseMessage over = await PostChatAsync(_server, $$"""{"max_completion_tokens":{{context + 1}},"messages":[{"role":"user","content":"hi"}]}""");

        // At the context length the edge lets it through and the engine's own check answers (the prompt needs room too).
        JsonElement atError = JsonDocument.Parse(await atContext.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(ApiErrorCodes.PromptTooLong, atError.GetProperty("code").GetString());
        JsonElement overError = JsonDocument.Parse(await over.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(ApiErrorCodes.InvalidRequest, overError.GetProperty("code").GetString());
        Assert.Equal("max_completion_tokens", overError.GetProperty("param").GetString());
        Assert.Contains(context.ToString(System.Globalization.CultureInfo.InvariantCulture), overError.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostChatAsync(ServingServer server, string body) =>
        server.Client.PostAsync("/v1/chat/completions", new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { { "Content-Type", "application/json" } } });
}
