namespace Llava.Serving.Http.Contracts;

/// <summary>Where the time of one answer went, in milliseconds, and the decode rate.</summary>
public sealed record AskTimings(double PreprocessMs, double QueueMs, double TimeToFirstTokenMs, double DecodeMs, double TokensPerSecond);
