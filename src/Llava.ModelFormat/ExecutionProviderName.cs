namespace Llava.ModelFormat;

/// <summary>
/// The execution providers a model folder is built for (the manifest's <c>execution_provider</c>). The decoder
/// graph is provider-specific: fused attention and int4 kernels differ in the activation types and accuracy
/// levels each provider implements, so a folder runs only on the provider it was built for.
/// </summary>
public static class ExecutionProviderName
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    public static IReadOnlyList<string> All { get; } = [Cpu, Cuda];
}
