namespace Llava.ModelBuilder.Onnx;

/// <summary>Bytes per element of each <see cref="OnnxDataType"/> in raw little-endian tensor data.</summary>
internal static class OnnxElementSize
{
    public static int Of(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Int64 => 8,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ONNX element type."),
    };
}
