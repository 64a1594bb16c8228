using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace LlavaFunctions.Host.Tests.Functions;

/// <summary>HTTP through the host's routing into the worker's own ASP.NET Core pipeline (x-ms-invocation-id forwarding).</summary>
public sealed class HttpTests(RunningAppFixture fixture) : IClassFixture<RunningAppFixture>
{
    private StandInApp App => fixture.App;

    [Fact]
    public async Task Ask_answers_as_JSON_and_as_Server_Sent_Events()
    {
        JsonObject body = new() { ["question"] = "What is it?", ["image"] = Convert.ToBase64String(Payloads.Image()), ["maxTokens"] = 4 };

        HttpResponseMessage json = await App.Http.PostAsync(new Uri("api/ask", UriKind.Relative), new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        using HttpRequestMessage streamed = new(HttpMethod.Post, new Uri("api/ask", UriKind.Relative)) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        streamed.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage events = await App.Http.SendAsync(streamed, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(await json.Content.ReadAsStringAsync())!["answer"]));
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        string stream = await events.Content.ReadAsStringAsync();
        Assert.Contains("event: delta", stream, StringComparison.Ordinal);
        Assert.Contains("event: done", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_submitted_over_HTTP_is_answered_and_read_back_by_its_route_id()
    {
        await Payloads.UploadAsync(App.Images, "http-job.png", Payloads.Image());
        string jobId = "http-" + Guid.NewGuid().ToString("N")[..8];

        HttpResponseMessage submitted = await App.Http.PostAsync(new Uri("api/jobs", UriKind.Relative), new StringContent(Payloads.Job(jobId, $"{App.Images.Name}/http-job.png"), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        // {id} reaches the worker's GetJob(string id) as trigger metadata, as the host sends route values.
        JsonObject result = await App.EventuallyAsync(
            async () =>
            {
                JsonObject job = JsonNode.Parse(await App.Http.GetStringAsync(new Uri("api/jobs/" + jobId, UriKind.Relative)))!.AsObject();
                return (string?)job["status"] == "queued" ? null : job;
            },
            TimeSpan.FromSeconds(90),
            "the job to finish");
        Assert.Equal(jobId, (string?)result["jobId"]);
        Assert.Equal("succeeded", (string?)result["status"]);
    }

    [Fact]
    public async Task The_official_OpenAI_client_needs_only_the_base_URL_and_the_API_key()
    {
        ChatClient client = Client(StandInApp.ApiKey);
        UserChatMessage question = new(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(Payloads.Image()), "image/png"), ChatMessageContentPart.CreateTextPart("What is it?"));

        ChatCompletion completion = await client.CompleteChatAsync([question], new ChatCompletionOptions { MaxOutputTokenCount = 4 });
        List<string> deltas = [];
        await foreach (StreamingChatCompletionUpdate update in client.CompleteChatStreamingAsync([question], new ChatCompletionOptions { MaxOutputTokenCount = 4 }))
        {
            deltas.AddRange(update.ContentUpdate.Select(part => part.Text));
        }

        OpenAIModelCollection served = await new OpenAIModelClient(new ApiKeyCredential(StandInApp.ApiKey), Options()).GetModelsAsync();

        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.NotEmpty(deltas);
        Assert.NotEmpty(served);
    }

    [Fact]
    public async Task Listing_models_needs_the_API_key_too()
    {
        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => new OpenAIModelClient(new ApiKeyCredential("wrong-key-0123456789abcdef0123456789"), Options()).GetModelsAsync());

        Assert.Equal(401, error.Status);
    }

    [Theory]
    [InlineData("wrong-key-0123456789abcdef0123456789")]
    [InlineData(null)]
    public async Task The_OpenAI_route_refuses_a_wrong_or_missing_key_with_OpenAI_s_401(string? key)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri("v1/chat/completions", UriKind.Relative))
        {
            Content = new StringContent("""{"model":"llava","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response = await App.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        JsonNode error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_api_key", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
    }

    [Fact]
    public async Task The_OpenAI_client_reports_a_wrong_key_as_a_401()
    {
        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => Client("wrong-key-0123456789abcdef0123456789").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
    }

    private ChatClient Client(string key) => new("llava", new ApiKeyCredential(key), Options());

    private OpenAIClientOptions Options() => new() { Endpoint = new Uri(App.Host.BaseAddress, "v1") };
}
