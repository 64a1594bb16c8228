using System.Text.Json;
using System.Text.RegularExpressions;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Jobs;

/// <summary>
/// Parses and checks a job, returning every problem in one message rather than the first, each naming its field as
/// the message spells it (<c>options.maxTokens</c>). The same checks run on <c>POST /api/jobs</c> and on every queue
/// delivery, so a message put on the queue directly gets the same answer as one submitted over HTTP.
/// </summary>
public static partial class VqaJobValidator
{
    public const int MaxQuestions = 16;
    public const int MaxQuestionLength = 4000;
    public const int MaxSystemLength = 4000;

    /// <summary>Longest answer a job may ask for, whatever the model's context (which the engine checks too).</summary>
    public const int MaxTokensLimit = 4096;

    /// <summary>Largest <c>topK</c>: far above any useful value, far below every vocabulary we serve.</summary>
    public const int MaxTopK = 1000;

    public const int MaxStopSequences = 4;
    public const int MaxStopLength = 64;

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

    /// <summary>The <c>jobId</c> of a message that did not parse as a job, when it has a valid one, so its failure is recorded where the caller looks.</summary>
    public static string? SalvageJobId(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("jobId", out JsonElement id)
                && id.ValueKind == JsonValueKind.String
                && IsValidJobId(id.GetString())
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
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

        if (job.System is { Length: > MaxSystemLength })
        {
            problems.Add($"system must be at most {MaxSystemLength} characters; got {job.System.Length}.");
        }

        if (job.Options is { } options)
        {
            CheckOptions(options, problems);
        }

        return problems;
    }

    private static void CheckOptions(JobGenerationOptions options, List<string> problems)
    {
        if (options.MaxTokens is < 1 or > MaxTokensLimit)
        {
            problems.Add($"options.maxTokens must be between 1 and {MaxTokensLimit}; got {options.MaxTokens}.");
        }

        // NaN and infinities fail every range test below, so they are named first.
        if (options.Temperature is { } temperature && (!float.IsFinite(temperature) || temperature is < 0 or > 10))
        {
            problems.Add($"options.temperature must be a finite number between 0 and 10; got {temperature}.");
        }

        if (options.TopP is { } topP && (!float.IsFinite(topP) || topP is <= 0 or > 1))
        {
            problems.Add($"options.topP must be a number in (0, 1]; got {topP}.");
        }

        if (options.TopK is < 1 or > MaxTopK)
        {
            problems.Add($"options.topK must be between 1 and {MaxTopK}; got {options.TopK}.");
        }

        if (options.Stop is { } stop && (stop.Count > MaxStopSequences || stop.Any(s => string.IsNullOrEmpty(s) || s.Length > MaxStopLength)))
        {
            problems.Add($"options.stop must hold at most {MaxStopSequences} non-empty strings of at most {MaxStopLength} characters.");
        }
    }

    public static bool IsValidJobId(string? id) => id is not null && JobIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex JobIdPattern();
}
