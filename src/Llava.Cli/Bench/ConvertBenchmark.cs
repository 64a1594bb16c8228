using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Llava.Cli.Bench;

/// <summary>
/// Runs <c>llava convert</c> once per precision in a child process (so each peak is that conversion's alone)
/// and reads the time and peak memory it prints.
/// </summary>
internal static partial class ConvertBenchmark
{
    public static async Task<ConvertBenchResult> RunAsync(string checkpoint, string precision, string scratch, CancellationToken cancellationToken)
    {
        string output = Path.Combine(scratch, $"convert-{precision}-{Guid.NewGuid():N}");
        (string fileName, string[] prefix) = Self();
        ProcessStartInfo start = new(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in prefix.Concat(["convert", checkpoint, output, "--precision", precision, "--force"]))
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using Process child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}.");
            Task<string> stdout = child.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = child.StandardError.ReadToEndAsync(cancellationToken);
            await child.WaitForExitAsync(cancellationToken);
            string text = await stdout;
            Match match = Summary().Match(text);
            if (child.ExitCode != 0 || !match.Success)
            {
                throw new CliException(ExitCodes.Failure, $"llava convert --precision {precision} failed (exit {child.ExitCode}): {(await stderr).Trim()} {text.Trim()}");
            }

            double outputMiB = Directory.EnumerateFiles(output).Sum(f => new FileInfo(f).Length) / 1048576.0;
            return new ConvertBenchResult(
                precision,
                double.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture),
                double.Parse(match.Groups["peak"].Value, CultureInfo.InvariantCulture),
                outputMiB);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>How to start this tool again: the apphost itself, or <c>dotnet llava.dll</c>.</summary>
    private static (string FileName, string[] Prefix) Self()
    {
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "llava")
        {
            return (host, []);
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
            ?? (host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet");
        return (dotnet, [typeof(ConvertBenchmark).Assembly.Location]);
    }

    [GeneratedRegex(@", (?<seconds>[0-9.]+) s, peak memory (?<peak>[0-9]+) MiB")]
    private static partial Regex Summary();
}
