using Llava.Cli;

namespace Llava.Benchmarks;

/// <summary>The inputs every benchmark shares: the CLI's sample photographs and its cache of random models.</summary>
internal static class BenchInputs
{
    public static CliContext Context { get; } = new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = TextReader.Null,
        IsErrorInteractive = false,
    };
}
