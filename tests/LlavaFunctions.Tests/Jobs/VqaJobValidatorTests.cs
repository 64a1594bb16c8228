using LlavaFunctions.Jobs;

namespace LlavaFunctions.Tests.Jobs;

/// <summary>The bounds of a job, at their edges: the last value accepted and the first refused, each naming its field.</summary>
public sealed class VqaJobValidatorTests
{
    private static readonly VqaJobMessage Valid = new() { JobId = "job-1", Image = "images/cat.png", Questions = ["What is it?"] };

    public static TheoryData<JobGenerationOptions> AcceptedOptions => new()
    {
        new JobGenerationOptions { MaxTokens = 1, Temperature = 0, TopP = 1, TopK = 1 },
        new JobGenerationOptions { MaxTokens = VqaJobValidator.MaxTokensLimit, Temperature = 10, TopP = 0.01f, TopK = VqaJobValidator.MaxTopK },
        new JobGenerationOptions { Stop = [.. Enumerable.Repeat(new string('s', VqaJobValidator.MaxStopLength), VqaJobValidator.MaxStopSequences)] },
        new JobGenerationOptions { Stop = ["\n"] },
    };

    public static TheoryData<JobGenerationOptions, string> RefusedOptions => new()
    {
        { new JobGenerationOptions { MaxTokens = 0 }, "options.maxTokens" },
        { new JobGenerationOptions { MaxTokens = VqaJobValidator.MaxTokensLimit + 1 }, "options.maxTokens" },
        { new JobGenerationOptions { MaxTokens = int.MaxValue }, "options.maxTokens" },
        { new JobGenerationOptions { Temperature = -0.01f }, "options.temperature" },
        { new JobGenerationOptions { Temperature = 10.01f }, "options.temperature" },
        { new JobGenerationOptions { Temperature = float.NaN }, "options.temperature" },
        { new JobGenerationOptions { Temperature = float.PositiveInfinity }, "options.temperature" },
        { new JobGenerationOptions { TopP = 0 }, "options.topP" },
        { new JobGenerationOptions { TopP = 1.01f }, "options.topP" },
        { new JobGenerationOptions { TopP = float.NaN }, "options.topP" },
        { new JobGenerationOptions { TopK = 0 }, "options.topK" },
        { new JobGenerationOptions { TopK = VqaJobValidator.MaxTopK + 1 }, "options.topK" },
        { new JobGenerationOptions { Stop = [.. Enumerable.Repeat("s", VqaJobValidator.MaxStopSequences + 1)] }, "options.stop" },
        { new JobGenerationOptions { Stop = ["ok", ""] }, "options.stop" },
        { new JobGenerationOptions { Stop = ["ok", new string('s', VqaJobValidator.MaxStopLength + 1)] }, "options.stop" },
    };

    [Theory]
    [MemberData(nameof(AcceptedOptions))]
    public void Options_at_the_edges_of_their_bounds_are_accepted(JobGenerationOptions options)
    {
        Assert.Empty(VqaJobValidator.Check(Valid with { Options = options }));
    }

    [Theory]
    [MemberData(nameof(RefusedOptions))]
    public void Options_past_their_bounds_are_refused_naming_the_field(JobGenerationOptions options, string field)
    {
        string problem = Assert.Single(VqaJobValidator.Check(Valid with { Options = options }));

        Assert.StartsWith(field + " ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_job_is_accepted()
    {
        VqaJobMessage largest = Valid with
        {
            JobId = new string('j', 64),
            Questions = [.. Enumerable.Repeat(new string('q', VqaJobValidator.MaxQuestionLength), VqaJobValidator.MaxQuestions)],
            System = new string('s', VqaJobValidator.MaxSystemLength),
        };

        Assert.Empty(VqaJobValidator.Check(largest));
    }

    [Theory]
    [InlineData("jobId", null, 1, 1, 0)]
    [InlineData("jobId", "has space", 1, 1, 0)]
    [InlineData("jobId", "", 1, 1, 0)]
    [InlineData("questions", "ok", 0, 1, 0)]
    [InlineData("questions", "ok", VqaJobValidator.MaxQuestions + 1, 1, 0)]
    [InlineData("questions", "ok", 2, VqaJobValidator.MaxQuestionLength + 1, 0)]
    [InlineData("system", "ok", 1, 1, VqaJobValidator.MaxSystemLength + 1)]
    public void A_field_past_its_bounds_is_the_one_problem_named(string field, string? jobId, int questions, int questionLength, int systemLength)
    {
        VqaJobMessage job = Valid with
        {
            JobId = jobId,
            Questions = [.. Enumerable.Range(0, questions).Select(i => i == questions - 1 ? new string('q', questionLength) : "fine")],
            System = systemLength > 0 ? new string('s', systemLength) : null,
        };

        string problem = Assert.Single(VqaJobValidator.Check(job));

        Assert.StartsWith(field + " ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_question_among_good_ones_is_refused()
    {
        string problem = Assert.Single(VqaJobValidator.Check(Valid with { Questions = ["fine", " "] }));

        Assert.StartsWith("questions ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_null_message_is_not_a_job()
    {
        (VqaJobMessage? job, IReadOnlyList<string> problems) = VqaJobValidator.Parse("null");

        Assert.Null(job);
        Assert.Equal("The message is empty.", Assert.Single(problems));
    }

    [Theory]
    [InlineData("""{"jobId":"abc","options":{"maxTokens":1e30}}""", "abc")]
    [InlineData("""{"jobId":"not valid!","options":{"maxTokens":1e30}}""", null)]
    [InlineData("""{"jobId":5}""", null)]
    [InlineData("""["jobId"]""", null)]
    [InlineData("""{ not json""", null)]
    public void The_job_id_of_a_message_that_does_not_parse_is_salvaged_only_when_valid(string json, string? expected)
    {
        Assert.Equal(expected, VqaJobValidator.SalvageJobId(json));
    }
}
