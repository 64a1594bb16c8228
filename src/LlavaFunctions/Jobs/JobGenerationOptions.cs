using System.Text.Json.Serialization;
using Llava.Inference.Generation;

namespace LlavaFunctions.Jobs;

/// <summary>Decoding options of a job (all optional; greedy by default).</summary>
public sealed record JobGenerationOptions
{
    [JsonPropertyName("maxTokens")]
    public int? MaxTokens { get; init; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; init; }

    [JsonPropertyName("topP")]
    public float? TopP { get; init; }

    [JsonPropertyName("topK")]
    public int? TopK { get; init; }

    [JsonPropertyName("seed")]
    public ulong? Seed { get; init; }

    [JsonPropertyName("stop")]
    public IReadOnlyList<string>? Stop { get; init; }

    public GenerationOptions ToGenerationOptions() => new()
    {
        MaxNewTokens = MaxTokens ?? 256,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        StopSequences = Stop ?? [],
    };
}
