using System.Text.Json;

namespace Llava.Infra.Tests;

/// <summary>
/// Nothing in this project talks to anything but loopback and the storage it is given: every place that starts
/// Azurite turns its telemetry off (Azurite reports to Application Insights by default).
/// </summary>
public sealed class AzuriteLaunchTests
{
    [Fact]
    public void Npm_azurite_script_disables_telemetry_and_binds_loopback()
    {
        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(TestEnvironment.InRepository("package.json")));
        string script = package.RootElement.GetProperty("scripts").GetProperty("azurite").GetString()!;

        Assert.Contains("--disableTelemetry", script, StringComparison.Ordinal);
        Assert.Contains("--blobHost 127.0.0.1", script, StringComparison.Ordinal);
        Assert.Contains("--queueHost 127.0.0.1", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_azurite_launch_in_ci_and_docs_disables_telemetry()
    {
        string[] files = [".ci/run", "tests/Llava.Testing/Storage/StorageSandbox.cs"];
        foreach (string file in files)
        {
            string[] launches = [.. File.ReadAllLines(TestEnvironment.InRepository(file.Split('/')))
                .Where(line => line.Contains("azurite --", StringComparison.Ordinal))];

            Assert.True(launches.Length > 0, $"{file} no longer starts Azurite; update this test.");
            Assert.All(launches, line => Assert.Contains("--disableTelemetry", line, StringComparison.Ordinal));
        }
    }
}
