namespace Llava.ModelBuilder.Checkpoints;

/// <summary>Element sizes of the safetensors dtype strings, and the mapping to <see cref="SafetensorsDType"/>.</summary>
internal static class SafetensorsDTypes
{
    /// <summary>Bytes per element, or 0 for a dtype the format does not define.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    public static int ElementSize(SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 2;

    public static string Name(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.BF16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };
}
