namespace Llava.Testing;

/// <summary>Paths inside the repository, found from the test binary's location.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder holding LlavaFunctions.sln.</summary>
    public static string Root => s_root.Value;

    /// <summary><c>tests/fixtures</c>: committed golden outputs and test images.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlavaFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"LlavaFunctions.sln not found above {AppContext.BaseDirectory}; tests must run from a checkout.");
    }
}
