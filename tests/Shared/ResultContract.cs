using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Generation;

namespace Llava.Testing.Contract;

/// <summary>
/// One generation result and, written out by hand, how every surface of ours must render it: the same names and
/// the same values in the HTTP ask answer, the SSE <c>done</c> event, the Functions app's documents and the CLI's
/// <c>--json</c>, and the documented mapping in OpenAI's envelope. Compiled into each surface's test project
/// (linked), so each proves its own renderer against the one contract.
/// </summary>
internal static class ResultContract
{
    /// <summary>A stop sequence ended it; the text keeps its leading space and trailing newline (nothing is trimmed).</summary>
    public static GenerationResult Sample { get; } = new(
        " A cat.\n",
        FinishReason.StopSequence,
        new GenerationUsage(PromptTokens: 601, ImageTokens: 576, CompletionTokens: 9),
        new GenerationTimings(
            Preprocess: TimeSpan.FromTicks(123_456),
            QueueWait: TimeSpan.FromTicks(7_891),
            TimeToFirstToken: TimeSpan.FromTicks(1_805_049),
            Decode: TimeSpan.FromTicks(951_234),
            CompletionTokens: 9),
        [319, 6635, 29889, 13, 2]);

    /// <summary>The contract's fields for <see cref="Sample"/>: names, units (milliseconds, rounded to 0.01) and values.</summary>
    public static JsonObject Expected(string answerField = "answer") => new()
    {
        [answerField] = " A cat.\n",
        ["finishReason"] = "stop_sequence",
        ["usage"] = new JsonObject { ["promptTokens"] = 601, ["imageTokens"] = 576, ["completionTokens"] = 9, ["totalTokens"] = 610 },
        ["timings"] = new JsonObject { ["preprocessMs"] = 12.35, ["queueMs"] = 0.79, ["timeToFirstTokenMs"] = 180.5, ["decodeMs"] = 95.12, ["tokensPerSecond"] = 84.1 },
    };

    /// <summary>Fails unless <paramref name="rendered"/> carries exactly the contract's fields for <see cref="Sample"/> (other fields of the document may sit beside them).</summary>
    public static void AssertRendersSample(string rendered, string answerField = "answer")
    {
        JsonObject document = JsonNode.Parse(rendered)!.AsObject();
        foreach ((string name, JsonNode? expected) in Expected(answerField))
        {
            Assert.True(document.ContainsKey(name), $"'{name}' is missing from {rendered}");
            Assert.True(JsonNode.DeepEquals(expected, document[name]), $"'{name}': expected {expected!.ToJsonString()}, got {document[name]?.ToJsonString()}");
        }
    }

    /// <summary>Fails unless <paramref name="rendered"/> (an OpenAI chat.completion) maps <see cref="Sample"/> as documented: stop_sequence is OpenAI's stop.</summary>
    public static void AssertRendersSampleForOpenAi(string rendered)
    {
        using JsonDocument document = JsonDocument.Parse(rendered);
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        Assert.Equal(" A cat.\n", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        AssertOpenAiUsage(document.RootElement.GetProperty("usage"));
    }

    /// <summary>OpenAI's usage object for <see cref="Sample"/>: its three fields, image tokens inside the prompt tokens.</summary>
    public static void AssertOpenAiUsage(JsonElement usage)
    {
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens"], usage.EnumerateObject().Select(p => p.Name));
        Assert.Equal(601, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(9, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(610, usage.GetProperty("total_tokens").GetInt32());
    }
}
