using Llava.Fuzzing;
using Llava.Testing.HostileImages;

// Llava.Fuzzing generate [dir] | check [dir] | fuzz [dir] [--seconds N] [--seed S] [--out dir] | replay <findings dir>
string command = args.Length > 0 ? args[0] : "help";
string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
string directory = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : HostileImageManifest.Directory;

switch (command)
{
    case "generate":
        IReadOnlyList<HostileImage> images = HostileImageCorpus.Generate();
        HostileImageManifest.Write(directory, images);
        Console.WriteLine($"{images.Count} files, {images.Sum(i => (long)i.Bytes.Length)} bytes, written to {directory}");
        return 0;
    case "check":
        return CorpusCheck.Run(directory, Console.Out);
    case "replay":
        return LoaderFuzzer.Replay(directory, Console.Out);
    case "fuzz":
        return LoaderFuzzer.Run(
            directory,
            TimeSpan.FromSeconds(double.Parse(Option("--seconds") ?? "60", System.Globalization.CultureInfo.InvariantCulture)),
            int.Parse(Option("--seed") ?? "1", System.Globalization.CultureInfo.InvariantCulture),
            Option("--out") ?? Path.Combine(Path.GetTempPath(), "llava-fuzz-crashes"),
            Console.Out);
    default:
        Console.Error.WriteLine("usage: Llava.Fuzzing generate [dir] | check [dir] | fuzz [dir] [--seconds N] [--seed S] [--out dir] | replay <findings dir>");
        return 2;
}
