using System.Text.Json;
using Llava.Testing.Contract;
using LlavaFunctions.Captioning;
using LlavaFunctions.Jobs;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Tests.Storage;

/// <summary>Caption and job documents render a generation result with the contract's names and values, as HTTP and the CLI do.</summary>
public sealed class DocumentContractTests
{
    [Fact]
    public void A_job_answer_renders_the_result_contract()
    {
        string json = JsonSerializer.Serialize(VqaAnswer.From("What is it?", ResultContract.Sample), JsonDocuments.Options);

        ResultContract.AssertRendersSample(json);
        Assert.Equal("What is it?", JsonDocument.Parse(json).RootElement.GetProperty("question").GetString());
    }

    [Fact]
    public void A_caption_document_renders_the_result_contract_with_the_answer_as_its_caption()
    {
        CaptionDocument document = CaptionDocument.ForCaption("/images/cat.png", "\"0x1\"", "image/png", 336, 336, ResultContract.Sample, "llava-1.5", "fp32");

        string json = JsonSerializer.Serialize(document, JsonDocuments.Options);

        ResultContract.AssertRendersSample(json, answerField: "caption");
        using JsonDocument parsed = JsonDocument.Parse(json);
        Assert.Equal(3, parsed.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("llava-1.5", parsed.RootElement.GetProperty("model").GetString());
        Assert.False(parsed.RootElement.TryGetProperty("timingsMs", out _));
    }

    [Fact]
    public void A_version_2_job_document_still_reads_after_the_upgrade()
    {
        // Written by the previous version: GET /api/jobs/{id} must still answer for it.
        const string version2 = """
            {"version":2,"jobId":"old","status":"succeeded","answers":[{"question":"?","answer":"A cat.","finishReason":"endOfTurn",
             "usage":{"promptTokens":601,"imageTokens":576,"completionTokens":3,"totalTokens":604},
             "timingsMs":{"preprocess":12,"queue":0,"timeToFirstToken":310,"decode":240,"tokensPerSecond":33}}],
             "model":"llava-1.5","attempts":1,"createdUtc":"2026-01-01T00:00:00Z"}
            """;

        VqaJobResult result = JsonSerializer.Deserialize<VqaJobResult>(version2, JsonDocuments.Options)!;

        Assert.Equal(2, result.Version);
        Assert.Equal("endOfTurn", result.Answers[0].FinishReason);
        Assert.Equal(604, result.Answers[0].Usage.TotalTokens);
    }
}
