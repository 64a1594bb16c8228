namespace Llava.Cli.Tests;

/// <summary>`llava bench` on the tiny models: it runs, prints its tables, and the raw graphs agree with the engine.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_on_the_tiny_models_prints_performance_and_overhead_tables()
    {
        CliResult result = await CliRun.RunAsync(["bench", "--tiny-only", "--runs", "1", "--tokens", "4"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first token ms", result.Output, StringComparison.Ordinal);
        Assert.Contains("engine overhead", result.Output, StringComparison.Ordinal);
        Assert.Contains("tiny llava-1.5 fp32", result.Output, StringComparison.Ordinal);
        Assert.Contains("tiny llava-v1.6-mistral fp32", result.Output, StringComparison.Ordinal);
        Assert.Contains("1024x768 (anyres)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("| NO", result.Output, StringComparison.Ordinal);
        Assert.Equal(2, result.Output.Split('\n').Count(l => l.Contains("| yes (", StringComparison.Ordinal)));
    }
}
