using System.Text.Json;
using System.Text.RegularExpressions;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Jobs;

/// <summary>Parses and checks a job, returning every problem in one message rather than the first.</summary>
public static partial class VqaJobValidator
{
    public const int MaxQuestions = 16;
    public const int MaxQuestionLength = 4000;

    /// <summary>The parsed job and the list of problems (empty when the job is usable).</summary>
    public static (VqaJobMessage? Job, IReadOnlyList<string> Problems) Parse(string json)
    {
        VqaJobMessage? job;
        try
        {
            job = JsonSerializer.Deserialize<VqaJobMessage>(json, JsonDocuments.Options);
        }
        catch (JsonException ex)
        {
            return (null, [$"The message is not a JSON job: {ex.Message}"]);
        }

        return job is null ? (null, ["The message is empty."]) : (job, Check(job));
    }

    public static IReadOnlyList<string> Check(VqaJobMessage job)
    {
        ArgumentNullException.ThrowIfNull(job);
        List<string> problems = [];
        if (job.JobId is null || !JobIdPattern().IsMatch(job.JobId))
        {
            problems.Add("jobId must be 1-64 letters, digits, '-' or '_'.");
        }

        if (string.IsNullOrWhiteSpace(job.Image))
        {
            problems.Add("image is required: 'container/blob-name' or a blob URL in this app's storage account.");
        }

        if (job.Questions is not { Count: > 0 } questions || questions.Count > MaxQuestions || questions.Any(q => string.IsNullOrWhiteSpace(q) || q.Length > MaxQuestionLength))
        {
            problems.Add($"questions must hold 1 to {MaxQuestions} non-empty questions of at most {MaxQuestionLength} characters.");
        }

        try
        {
            (job.Options ?? new JobGenerationOptions()).ToGenerationOptions().Validate();
        }
        catch (ArgumentException ex)
        {
            problems.Add($"options: {ex.Message}");
        }

        return problems;
    }

    public static bool IsValidJobId(string? id) => id is not null && JobIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex JobIdPattern();
}
