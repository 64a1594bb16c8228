using System.CommandLine;
using Llava.Testing.Models;

namespace Llava.Cli.Tests;

/// <summary>
/// Runs the `llava` commands in-process against writers and a private environment (no process-wide console
/// or environment is touched, so tests run in parallel). The demo and bench caches go to a folder of this
/// test run.
/// </summary>
internal static class CliRun
{
    public static string CacheDirectory { get; } = Path.Combine(TinyModels.CacheRoot, "cli-cache");

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, string stdin = "", TextWriter? output = null)
    {
        TextWriter stdout = output ?? new StringWriter();
        StringWriter stderr = new();
        Dictionary<string, string> variables = new(StringComparer.Ordinal) { [CliContext.CacheDirectoryVariable] = CacheDirectory };
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        CliContext context = new()
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(stdin),
            GetEnvironmentVariable = name => variables.GetValueOrDefault(name),
        };
        RootCommand root = new("llava (test)");
        LlavaCommands.AddTo(root, context);
        int exitCode = await LlavaCommands.InvokeAsync(root, args, context);
        return new CliResult(exitCode, stdout.ToString() ?? "", stderr.ToString());
    }

    public static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "Samples", name);

    public static string BadImage(string name) => Llava.Testing.RepositoryPaths.Fixture("images", "bad", name);
}
