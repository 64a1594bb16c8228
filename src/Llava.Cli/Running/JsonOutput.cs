using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;

namespace Llava.Cli.Running;

/// <summary>
/// The JSON a command prints with <c>--json</c>: one compact object per line (JSON Lines), with the names every
/// document of ours uses (camelCase; the result contract of <see cref="ResultFieldNames"/>; errors as the catalogue's
/// <c>{code, message}</c>).
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    /// <summary>One answer; <paramref name="promptIds"/> (with <c>--token-ids</c>) adds promptIds and generatedIds.</summary>
    public static string Answer(string? image, string model, bool randomWeights, GenerationResult result, IReadOnlyList<int>? promptIds = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        JsonAnswer answer = new()
        {
            Image = image,
            Model = model,
            Answer = result.Text,
            FinishReason = FinishReasonNames.Of(result.FinishReason),
            Usage = ResultUsage.From(result.Usage),
            Timings = ResultTimings.From(result.Timings),
            PromptIds = promptIds,
            GeneratedIds = promptIds is null ? null : result.TokenIds,
            RandomWeights = randomWeights ? true : null,
        };
        return JsonSerializer.Serialize(answer, s_compact);
    }

    public static string Error(string? image, ApiError error) => JsonSerializer.Serialize(new JsonError(image, DocumentError.From(error)), s_compact);
}
