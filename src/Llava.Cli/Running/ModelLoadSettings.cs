using Llava.Inference.Loading;

namespace Llava.Cli.Running;

/// <summary>How the CLI loads a model folder.</summary>
internal sealed record ModelLoadSettings(string Provider, ChecksumVerification Verification)
{
    public static ModelLoadSettings Default { get; } = new("cpu", ChecksumVerification.Full);
}
