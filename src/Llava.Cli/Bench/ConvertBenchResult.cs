namespace Llava.Cli.Bench;

/// <summary>One <c>llava convert</c> run in a child process: its own reported time and peak memory, and the folder size.</summary>
internal sealed record ConvertBenchResult(string Precision, double Seconds, double PeakMiB, double OutputMiB);
