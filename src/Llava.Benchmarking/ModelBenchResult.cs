namespace Llava.Benchmarking;

/// <summary>Medians of one model's benchmark runs (times in milliseconds); raw ONNX Runtime figures are null when the comparison was skipped.</summary>
public sealed record ModelBenchResult
{
    public required string Model { get; init; }

    public required string Image { get; init; }

    public required double ModelMiB { get; init; }

    public required double LoadSeconds { get; init; }

    public required int ImageTokens { get; init; }

    public required int PromptTokens { get; init; }

    public required int Tiles { get; init; }

    public required double PreprocessMs { get; init; }

    public required double EngineFirstTokenMs { get; init; }

    public required double EngineTokensPerSecond { get; init; }

    /// <summary>Generation wall time of the engine (GenerateAsync, less its own preprocessing).</summary>
    public required double EngineTotalMs { get; init; }

    public required int CompletionTokens { get; init; }

    public required double PeakWorkingSetMiB { get; init; }

    public required bool PeakIsPerModel { get; init; }

    public double? RawFirstTokenMs { get; init; }

    public double? RawTokensPerSecond { get; init; }

    public double? RawTotalMs { get; init; }

    /// <summary>Whether the raw graphs produced the engine's exact token ids.</summary>
    public bool? SameTokens { get; init; }

    public string? RawSkippedReason { get; init; }
}
