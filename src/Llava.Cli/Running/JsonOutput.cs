using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Generation;

namespace Llava.Cli.Running;

/// <summary>The JSON a command prints with <c>--json</c>: one compact object per line (JSON Lines), snake_case names.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    /// <summary>One answer; <paramref name="promptIds"/> (with <c>--token-ids</c>) adds prompt_ids and generated_ids.</summary>
    public static string Answer(string? image, string model, bool randomWeights, GenerationResult result, IReadOnlyList<int>? promptIds = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        JsonObject json = new()
        {
            ["image"] = image,
            ["model"] = model,
            ["answer"] = result.Text,
            ["finish_reason"] = FinishReasonName(result.FinishReason),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = result.Usage.PromptTokens,
                ["image_tokens"] = result.Usage.ImageTokens,
                ["completion_tokens"] = result.Usage.CompletionTokens,
                ["total_tokens"] = result.Usage.TotalTokens,
            },
            ["timings"] = new JsonObject
            {
                ["preprocess_ms"] = Math.Round(result.Timings.Preprocess.TotalMilliseconds, 3),
                ["queue_wait_ms"] = Math.Round(result.Timings.QueueWait.TotalMilliseconds, 3),
                ["time_to_first_token_ms"] = Math.Round(result.Timings.TimeToFirstToken.TotalMilliseconds, 3),
                ["decode_ms"] = Math.Round(result.Timings.Decode.TotalMilliseconds, 3),
                ["decode_tokens_per_second"] = Math.Round(result.Timings.DecodeTokensPerSecond, 3),
            },
        };
        if (promptIds is not null)
        {
            json["prompt_ids"] = new JsonArray([.. promptIds.Select(id => (JsonNode)id)]);
            json["generated_ids"] = new JsonArray([.. result.TokenIds.Select(id => (JsonNode)id)]);
        }

        if (randomWeights)
        {
            json["random_weights"] = true;
        }

        return json.ToJsonString(s_compact);
    }

    public static string Error(string? image, string kind, string message) =>
        new JsonObject
        {
            ["image"] = image,
            ["error"] = new JsonObject { ["kind"] = kind, ["message"] = message },
        }.ToJsonString(s_compact);

    public static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.EndOfTurn => "end_of_turn",
        FinishReason.StopSequence => "stop_sequence",
        _ => "length",
    };
}
