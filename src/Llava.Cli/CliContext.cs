namespace Llava.Cli;

/// <summary>
/// Where a command reads and writes, and the environment it sees: the real console for the tool, writers and
/// a dictionary for tests running commands in-process (in parallel, without touching process-wide state).
/// </summary>
internal sealed class CliContext
{
    /// <summary>Overrides the cache folder (demo and bench models); default <c>$XDG_CACHE_HOME/llava</c> or <c>~/.cache/llava</c>.</summary>
    public const string CacheDirectoryVariable = "LLAVA_CACHE_DIR";

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>A person types at stdin (prompts are shown); false when it is piped.</summary>
    public bool IsInputInteractive { get; init; }

    /// <summary>stderr is a terminal: progress redraws one line; otherwise it prints a line every few seconds.</summary>
    public bool IsErrorInteractive { get; init; }

    /// <summary>Environment lookup; the process environment unless a test replaces it.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Where the samples shipped with the tool live (next to the binary).</summary>
    public string SamplesDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "Samples");

    public static CliContext FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsInputInteractive = !Console.IsInputRedirected,
        IsErrorInteractive = !Console.IsErrorRedirected,
    };

    /// <summary>The variable's value, or null when it is unset or blank.</summary>
    public string? Variable(string name) => GetEnvironmentVariable(name) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    public string CacheDirectory
    {
        get
        {
            if (Variable(CacheDirectoryVariable) is { } explicitDirectory)
            {
                return Path.GetFullPath(explicitDirectory);
            }

            string xdg = Variable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(xdg, "llava");
        }
    }
}
