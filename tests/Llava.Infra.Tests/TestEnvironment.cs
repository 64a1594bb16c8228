using System.Reflection;

namespace Llava.Infra.Tests;

/// <summary>Paths baked into the test assembly at build time (see the AssemblyMetadata items in the project).</summary>
internal static class TestEnvironment
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package, made executable.</summary>
    public static string BicepPath => s_bicepPath.Value;

    private static readonly Lazy<string> s_bicepPath = new(FindBicep);

    public static string InRepository(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    private static string FindBicep()
    {
        string path = Metadata("BicepPath");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is missing at '{path}'. It comes from the NuGet package Azure.Bicep.CommandLine.linux-x64: " +
                "run 'dotnet restore tests/Llava.Infra.Tests' (the tests never skip without it).");
        }

        // NuGet extracts package files without the executable bit (the package is linux-x64 only).
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Bicep CLI package used here is the linux-x64 build.");
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | Execute);
        }

        return path;
    }

    private static string Metadata(string key)
    {
        string? value = typeof(TestEnvironment).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException($"Assembly metadata '{key}' is missing: rebuild Llava.Infra.Tests.");
        }

        return value;
    }
}
