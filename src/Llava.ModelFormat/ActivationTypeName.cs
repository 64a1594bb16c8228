namespace Llava.ModelFormat;

/// <summary>
/// The element type of a folder's activations (the manifest's <c>activation_type</c>): float16 for fp16 models
/// and for int4 on CUDA, float32 otherwise. The runtime hands pixel_values over in this type.
/// </summary>
public static class ActivationTypeName
{
    public const string Fp32 = "float32";
    public const string Fp16 = "float16";

    public static IReadOnlyList<string> All { get; } = [Fp32, Fp16];
}
