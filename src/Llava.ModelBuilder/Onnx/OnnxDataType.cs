using System.Diagnostics.CodeAnalysis;

namespace Llava.ModelBuilder.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values for the element types our graphs use.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members mirror ONNX's own data type names.")]
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    BFloat16 = 16,
}
