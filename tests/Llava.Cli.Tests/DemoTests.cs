using System.Diagnostics;
using System.Text.Json;

namespace Llava.Cli.Tests;

/// <summary>The README's first command: `llava demo` on a machine with no model, as a real process.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_without_a_model_builds_a_labelled_random_model_and_captions_the_shipped_samples()
    {
        (int exitCode, string output, string error) = await RunProcessAsync("demo", "--max-tokens", "6");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("RANDOM WEIGHTS", error, StringComparison.Ordinal);
        Assert.Contains("meaningless", error, StringComparison.Ordinal);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains("cat.jpg: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("coffee.jpg: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("astronaut.jpg: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_json_marks_the_answers_as_random_weights_and_runs_the_anyres_pipeline()
    {
        CliResult result = await CliRun.RunAsync(["demo", CliRun.Sample("coffee.jpg"), "--json", "-n", "3"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.OutputLines.Single());
        Assert.True(json.RootElement.GetProperty("randomWeights").GetBoolean());
        // coffee 500x375 on LLaVA-NeXT: a 2x2 grid plus the base tile, 2340 image tokens (tests/fixtures/images/CREDITS.md).
        Assert.Equal(2340, json.RootElement.GetProperty("usage").GetProperty("imageTokens").GetInt32());
    }

    [Fact]
    public async Task Demo_with_a_model_uses_it_and_does_not_claim_random_weights()
    {
        string model = Llava.Testing.Models.TinyModels.Model(Llava.ModelFormat.ModelVariant.Llava15);

        CliResult result = await CliRun.RunAsync(["demo", "--model", model, "-n", "2", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("RANDOM WEIGHTS", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, result.OutputLines.Length);
        Assert.All(result.OutputLines, line => Assert.DoesNotContain("randomWeights", line, StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(params string[] args)
    {
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llava.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("LLAVA_MODEL_PATH");
        start.Environment[CliContext.CacheDirectoryVariable] = CliRun.CacheDirectory;
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
