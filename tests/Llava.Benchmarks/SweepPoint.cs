namespace Llava.Benchmarks;

/// <summary>One point of the sweep: a model and image, its token counts and the measured medians.</summary>
internal sealed record SweepPoint(string Model, string Image, int Tiles, int ImageTokens, int PromptTokens, double PreprocessMs, double FirstTokenMs, double TokensPerSecond);
