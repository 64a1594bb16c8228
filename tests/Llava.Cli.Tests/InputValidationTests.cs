using System.Diagnostics;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.Cli.Tests;

/// <summary>Bad numbers and unbounded inputs are refused as usage errors (exit 2, the flag named, no stack trace), never exit 1.</summary>
public sealed class InputValidationTests
{
    private static readonly string s_model = TinyModels.Model(ModelVariant.Llava15);

    [Theory]
    [InlineData("--temperature", "NaN")]
    [InlineData("--temperature", "Infinity")]
    [InlineData("--temperature", "-Infinity")]
    [InlineData("--temperature", "-0.5")]
    [InlineData("--temperature", "10.5")]
    [InlineData("--temperature", "1e39")]
    [InlineData("--top-p", "NaN")]
    [InlineData("--top-p", "0")]
    [InlineData("--top-p", "1.01")]
    [InlineData("--top-k", "0")]
    [InlineData("--top-k", "-1")]
    [InlineData("--max-tokens", "0")]
    [InlineData("--max-tokens", "-5")]
    [InlineData("--max-tokens", "2147483648")]
    [InlineData("--seed", "-1")]
    [InlineData("--seed", "18446744073709551616")]
    public async Task A_bad_decoding_value_is_exit_2_naming_the_flag_without_a_stack_trace(string flag, string value)
    {
        foreach (string command in new[] { "ask", "caption" })
        {
            string[] args = command == "ask"
                ? ["ask", CliRun.Sample("cat.jpg"), "What?", "--model", s_model, $"{flag}={value}"]
                : ["caption", CliRun.Sample("cat.jpg"), "--model", s_model, $"{flag}={value}"];

            CliResult result = await CliRun.RunAsync(args);

            Assert.True(result.ExitCode == 2, $"{command} {flag} {value}: {result}");
            Assert.Contains(flag, result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
            Assert.Equal("", result.Output);
        }
    }

    [Theory]
    [InlineData("--temperature", "0")]
    [InlineData("--temperature", "10")]
    [InlineData("--top-p", "1")]
    [InlineData("--top-k", "1")]
    [InlineData("--max-tokens", "1")]
    public async Task Values_at_the_edges_of_the_ranges_are_accepted(string flag, string value)
    {
        List<string> args = ["ask", CliRun.Sample("cat.jpg"), "What?", "--model", s_model, $"{flag}={value}"];
        args.AddRange(flag == "--max-tokens" ? [] : ["-n", "2"]);
        args.AddRange(flag == "--temperature" ? [] : ["--temperature=0.5"]);

        CliResult result = await CliRun.RunAsync([.. args]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task An_image_from_dev_zero_is_refused_as_too_large_after_reading_at_most_the_limit()
    {
        Stopwatch clock = Stopwatch.StartNew();

        CliResult result = await CliRun.RunAsync(["ask", "/dev/zero", "What is it?", "--model", s_model, "-n", "2"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("/dev/zero", result.Error, StringComparison.Ordinal);
        Assert.Contains("the limit is", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        // Reading without end would never return; 20 MiB from /dev/zero takes milliseconds.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_image_from_a_pipe_is_read_to_its_end_and_answered()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"llava-cli-fifo-{Guid.NewGuid():N}");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        try
        {
            byte[] image = await File.ReadAllBytesAsync(CliRun.Sample("cat.jpg"));
            Task writer = Task.Run(async () =>
            {
                await using FileStream pipe = new(fifo, FileMode.Open, FileAccess.Write);
                await pipe.WriteAsync(image);
            });

            CliResult result = await CliRun.RunAsync(["ask", fifo, "What is it?", "--model", s_model, "-n", "2"]);
            await writer.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Single(result.OutputLines);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public async Task A_directory_given_as_the_image_is_exit_2()
    {
        CliResult result = await CliRun.RunAsync(["ask", Path.GetTempPath(), "What is it?", "--model", s_model, "-n", "2"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }
}
