namespace Llava.Infra.Tests;

/// <summary>The deploy scripts parse, pass shellcheck and refuse to run without what they need.</summary>
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts => new() { "create-eventgrid-subscription.sh", "upload-model.sh" };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string script)
    {
        ProcessResult result = ProcessRunner.Run("bash", ["-n", ScriptPath(script)]);

        Assert.True(result.ExitCode == 0, $"bash -n {script}: {result.StandardError}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_passes_shellcheck(string script)
    {
        string shellcheck = FindOnPath("shellcheck")
            ?? throw new InvalidOperationException("shellcheck is not installed (Debian: apt-get install -y shellcheck); .ci/run installs it.");

        ProcessResult result = ProcessRunner.Run(shellcheck, ["--severity=style", "--shell=bash", ScriptPath(script)]);

        Assert.True(result.ExitCode == 0, $"shellcheck {script}:\n{result.StandardOutput}{result.StandardError}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_is_strict_and_executable(string script)
    {
        string path = ScriptPath(script);
        string[] lines = File.ReadAllLines(path);

        Assert.Equal("#!/usr/bin/env bash", lines[0]);
        Assert.Contains("set -euo pipefail", lines);
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{script} is not executable (azd runs hooks directly).");
    }

    [Fact]
    public void Event_grid_script_refuses_to_run_without_its_variables()
    {
        ProcessResult result = RunWithEmptyEnvironment("create-eventgrid-subscription.sh");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("missing required variable(s)", result.StandardError, StringComparison.Ordinal);
        Assert.All(
            ["AZURE_RESOURCE_GROUP", "SERVICE_LLAVA_NAME", "SERVICE_LLAVA_URI", "EVENTGRID_SYSTEM_TOPIC_NAME", "LLAVA_IMAGES_CONTAINER",
             "EVENTGRID_DEADLETTER_CONTAINER", "AZURE_STORAGE_ACCOUNT_ID", "LLAVA_ALLOWED_IP_RANGES"],
            name => Assert.Contains(name, result.StandardError, StringComparison.Ordinal));
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public void Event_grid_script_names_only_the_variable_that_is_missing()
    {
        ProcessResult result = RunWithEmptyEnvironment(
            "create-eventgrid-subscription.sh",
            environment: new Dictionary<string, string>
            {
                ["AZURE_RESOURCE_GROUP"] = "rg-x",
                ["SERVICE_LLAVA_NAME"] = "ca-x",
                ["SERVICE_LLAVA_URI"] = "https://ca-x.example",
                ["LLAVA_IMAGES_CONTAINER"] = "images",
                ["EVENTGRID_DEADLETTER_CONTAINER"] = "eventgrid-deadletter",
                ["AZURE_STORAGE_ACCOUNT_ID"] = "/subscriptions/x/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stx",
                ["LLAVA_ALLOWED_IP_RANGES"] = "*",
            });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("missing required variable(s): EVENTGRID_SYSTEM_TOPIC_NAME.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Upload_script_refuses_to_run_without_its_variables()
    {
        ProcessResult result = RunWithEmptyEnvironment("upload-model.sh");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("missing required variable(s)", result.StandardError, StringComparison.Ordinal);
        Assert.All(
            ["AZURE_STORAGE_ACCOUNT_NAME", "LLAVA_MODEL_CONTAINER", "LLAVA_MODEL_PREFIX"],
            name => Assert.Contains(name, result.StandardError, StringComparison.Ordinal));
    }

    [Fact]
    public void Upload_script_refuses_a_folder_that_is_not_a_converted_model()
    {
        string folder = Directory.CreateTempSubdirectory("llava-infra-tests-").FullName;
        try
        {
            ProcessResult result = RunWithEmptyEnvironment(
                "upload-model.sh",
                [folder],
                new Dictionary<string, string>
                {
                    ["AZURE_STORAGE_ACCOUNT_NAME"] = "stx",
                    ["LLAVA_MODEL_CONTAINER"] = "models",
                    ["LLAVA_MODEL_PREFIX"] = "llava-v1.6-mistral-7b-int4",
                });

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("llava_manifest.json", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ProcessResult RunWithEmptyEnvironment(
        string script,
        IEnumerable<string>? arguments = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        // Only PATH (for bash itself and coreutils): nothing from the caller's azd or Azure environment leaks in.
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PATH"] = "/usr/bin:/bin",
        };
        return ProcessRunner.Run("bash", [ScriptPath(script), .. arguments ?? []], environment: variables, clearEnvironment: true);
    }

    private static string ScriptPath(string script) => TestEnvironment.InRepository("scripts", script);

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}
