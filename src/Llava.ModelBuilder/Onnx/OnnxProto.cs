namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// The field numbers of the ONNX protobuf messages this writer emits, one table per message, as onnx.proto
/// (IR version 8) numbers them. Only the fields we write are listed; the encoder names nothing else.
/// </summary>
internal static class OnnxProto
{
    /// <summary>ModelProto.</summary>
    public static class Model
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int Graph = 7;
        public const int OpsetImport = 8;
        public const int MetadataProps = 14;
    }

    /// <summary>GraphProto.</summary>
    public static class Graph
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int Input = 11;
        public const int Output = 12;
        public const int ValueInfo = 13;
    }

    /// <summary>NodeProto.</summary>
    public static class Node
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
        public const int Domain = 7;
    }

    /// <summary>AttributeProto.</summary>
    public static class Attribute
    {
        public const int Name = 1;
        public const int F = 2;
        public const int I = 3;
        public const int S = 4;
        public const int Floats = 7;
        public const int Ints = 8;
        public const int Strings = 9;
        public const int Type = 20;
    }

    /// <summary>AttributeProto.AttributeType values.</summary>
    public static class AttributeType
    {
        public const int Float = 1;
        public const int Int = 2;
        public const int String = 3;
        public const int Floats = 6;
        public const int Ints = 7;
        public const int Strings = 8;
    }

    /// <summary>TensorProto.</summary>
    public static class Tensor
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;
        public const int ExternalData = 13;
        public const int DataLocation = 14;
    }

    /// <summary>TensorProto.DataLocation values.</summary>
    public static class DataLocation
    {
        public const int External = 1;
    }

    /// <summary>ValueInfoProto.</summary>
    public static class ValueInfo
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    /// <summary>TypeProto.</summary>
    public static class Type
    {
        public const int TensorType = 1;
    }

    /// <summary>TypeProto.Tensor.</summary>
    public static class TensorType
    {
        public const int ElemType = 1;
        public const int Shape = 2;
    }

    /// <summary>TensorShapeProto.</summary>
    public static class TensorShape
    {
        public const int Dim = 1;
    }

    /// <summary>TensorShapeProto.Dimension.</summary>
    public static class Dimension
    {
        public const int DimValue = 1;
        public const int DimParam = 2;
    }

    /// <summary>OperatorSetIdProto.</summary>
    public static class OperatorSetId
    {
        public const int Domain = 1;
        public const int Version = 2;
    }

    /// <summary>StringStringEntryProto (metadata_props, external_data).</summary>
    public static class StringStringEntry
    {
        public const int Key = 1;
        public const int Value = 2;
    }
}
