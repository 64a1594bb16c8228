using System.CommandLine;
using Llava.Inference.Loading;

namespace Llava.Cli.Running;

/// <summary>The options every command that loads a model shares: where the model is and how to load it.</summary>
internal sealed class ModelArguments
{
    public const string ModelPathVariable = "LLAVA_MODEL_PATH";

    public Option<DirectoryInfo?> Model { get; } = new("--model", "-m")
    {
        Description = $"Model folder written by `llava convert` (default: ${ModelPathVariable}).",
    };

    public Option<string> Provider { get; } = new("--provider")
    {
        Description = "Execution provider: cpu, or cuda in the CUDA build.",
        DefaultValueFactory = _ => "cpu",
    };

    public Option<bool> SkipChecksums { get; } = new("--skip-checksums")
    {
        Description = "Check file sizes only, not SHA-256, when loading (for a folder already verified; saves ~1 s per GB).",
    };

    public ModelArguments()
    {
        Provider.AcceptOnlyFromAmong("cpu", "cuda");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Provider);
        command.Options.Add(SkipChecksums);
    }

    /// <summary>--model, else $LLAVA_MODEL_PATH, else null.</summary>
    public string? ResolvePath(ParseResult parse, CliContext context) =>
        parse.GetValue(Model)?.FullName ?? (context.Variable(ModelPathVariable) is { } path ? Path.GetFullPath(path) : null);

    /// <summary>The model path, or the error a script can act on (exit 3) when none is configured.</summary>
    public string RequirePath(ParseResult parse, CliContext context) =>
        ResolvePath(parse, context) ?? throw new CliException(
            ExitCodes.ModelUnavailable,
            $"no model: pass --model <dir> or set {ModelPathVariable} to a folder written by `llava convert` " +
            "(`llava download` fetches a llava-hf checkpoint). To try the pipeline without one, run `llava demo`.");

    public ModelLoadSettings Settings(ParseResult parse) => new(
        parse.GetValue(Provider) ?? "cpu",
        parse.GetValue(SkipChecksums) ? ChecksumVerification.SizeOnly : ChecksumVerification.Full);
}
