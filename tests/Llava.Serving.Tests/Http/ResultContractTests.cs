using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http.Responses;
using Llava.Serving.Results;
using Llava.Testing.Contract;
using Microsoft.AspNetCore.Http;

namespace Llava.Serving.Tests.Http;

/// <summary>The HTTP surfaces render one generation result with the contract's names and values; OpenAI's envelope maps it as documented.</summary>
public sealed class ResultContractTests
{
    [Fact]
    public void The_ask_answer_renders_the_result_contract()
    {
        string json = JsonSerializer.Serialize(AskResponse.From(ResultContract.Sample, "llava-1.5"), HttpApiJsonContext.Default.AskResponse);

        ResultContract.AssertRendersSample(json);
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(["answer", "finishReason", "usage", "timings", "model"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_sse_done_event_carries_the_ask_answer_itself()
    {
        List<(string? Event, string Data)> events = await WriteDoneAsync(new AskSseFormat("llava-1.5", "/api/ask"));

        (string? name, string data) = Assert.Single(events);
        Assert.Equal("done", name);
        ResultContract.AssertRendersSample(data);
        Assert.Equal(JsonSerializer.Serialize(AskResponse.From(ResultContract.Sample, "llava-1.5"), HttpApiJsonContext.Default.AskResponse), data);
    }

    [Fact]
    public void The_openai_completion_maps_the_result_as_documented()
    {
        string json = JsonSerializer.Serialize(ChatCompletion.From("chatcmpl-1", 1, "llava-1.5", ResultContract.Sample), HttpApiJsonContext.Default.ChatCompletion);

        ResultContract.AssertRendersSampleForOpenAi(json);
    }

    [Fact]
    public async Task The_openai_stream_ends_with_the_mapped_finish_reason_the_usage_and_done()
    {
        List<(string? Event, string Data)> events = await WriteDoneAsync(new ChatCompletionSseFormat("chatcmpl-1", 1, "llava-1.5", includeUsage: true));

        Assert.Equal(3, events.Count);
        using JsonDocument finish = JsonDocument.Parse(events[0].Data);
        Assert.Equal("stop", finish.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        using JsonDocument usage = JsonDocument.Parse(events[1].Data);
        ResultContract.AssertOpenAiUsage(usage.RootElement.GetProperty("usage"));
        Assert.Equal("[DONE]", events[2].Data);
    }

    [Theory]
    [InlineData(FinishReason.EndOfTurn, "stop", "stop")]
    [InlineData(FinishReason.StopSequence, "stop_sequence", "stop")]
    [InlineData(FinishReason.Length, "length", "length")]
    public void Each_finish_reason_has_one_name_and_a_documented_openai_name(FinishReason reason, string ours, string openAi)
    {
        Assert.Equal(ours, FinishReasonNames.Of(reason));
        Assert.Equal(openAi, FinishReasonNames.ToOpenAi(reason));
    }

    [Fact]
    public void Every_finish_reason_of_the_engine_has_its_own_name()
    {
        string[] names = [.. Enum.GetValues<FinishReason>().Select(FinishReasonNames.Of)];

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
    }

    private static async Task<List<(string? Event, string Data)>> WriteDoneAsync(ISseFormat format)
    {
        DefaultHttpContext context = new();
        using MemoryStream body = new();
        context.Response.Body = body;
        await using (SseSession session = new(context.Response, TimeSpan.FromMinutes(5)))
        {
            await format.WriteDoneAsync(session, ResultContract.Sample, CancellationToken.None);
        }

        List<(string? Event, string Data)> events = [];
        foreach (string block in Encoding.UTF8.GetString(body.ToArray()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string[] lines = block.Split('\n');
            string? name = lines.FirstOrDefault(l => l.StartsWith("event: ", StringComparison.Ordinal))?["event: ".Length..];
            events.Add((name, lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]));
        }

        return events;
    }
}
