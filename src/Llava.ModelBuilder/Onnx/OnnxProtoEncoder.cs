using System.Globalization;

namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// Encodes the ONNX messages <see cref="OnnxGraphBuilder"/> writes, field by field in field-number order, with
/// the numbers from <see cref="OnnxProto"/>. Hand-written rather than generated: see docs/model-format.md.
/// </summary>
internal static class OnnxProtoEncoder
{
    /// <summary>A TensorProto whose bytes are stored inline (raw_data).</summary>
    public static byte[] InlineTensor(string name, OnnxDataType type, long[] shape, ReadOnlySpan<byte> rawLittleEndian)
    {
        ProtoWriter tensor = TensorHeader(name, type, shape);
        tensor.WriteBytes(OnnxProto.Tensor.RawData, rawLittleEndian);
        return tensor.ToArray();
    }

    /// <summary>A TensorProto whose bytes lie in the external data file at <paramref name="offset"/>.</summary>
    public static byte[] ExternalTensor(string name, OnnxDataType type, long[] shape, string location, long offset, long length)
    {
        ProtoWriter tensor = TensorHeader(name, type, shape);
        tensor.WriteMessage(OnnxProto.Tensor.ExternalData, StringEntry("location", location));
        tensor.WriteMessage(OnnxProto.Tensor.ExternalData, StringEntry("offset", offset.ToString(CultureInfo.InvariantCulture)));
        tensor.WriteMessage(OnnxProto.Tensor.ExternalData, StringEntry("length", length.ToString(CultureInfo.InvariantCulture)));
        tensor.WriteInt64(OnnxProto.Tensor.DataLocation, OnnxProto.DataLocation.External);
        return tensor.ToArray();
    }

    /// <summary>A ValueInfoProto of a tensor type; each dim is a long or int (fixed) or a string (symbolic).</summary>
    public static byte[] ValueInfo(string name, OnnxDataType type, object[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        _ = OnnxElementSize.Of(type);
        var shape = new ProtoWriter();
        foreach (object dim in dims)
        {
            var dimension = new ProtoWriter();
            switch (dim)
            {
                case long value when value >= 0:
                    dimension.WriteInt64(OnnxProto.Dimension.DimValue, value);
                    break;
                case int value when value >= 0:
                    dimension.WriteInt64(OnnxProto.Dimension.DimValue, value);
                    break;
                case string param when param.Length != 0:
                    dimension.WriteString(OnnxProto.Dimension.DimParam, param);
                    break;
                default:
                    throw new ArgumentException($"Dimension '{dim}' of '{name}' must be a non-negative long or a non-empty string.", nameof(dims));
            }

            shape.WriteMessage(OnnxProto.TensorShape.Dim, dimension);
        }

        var tensorType = new ProtoWriter();
        tensorType.WriteInt64(OnnxProto.TensorType.ElemType, (long)type);
        tensorType.WriteMessage(OnnxProto.TensorType.Shape, shape);
        var typeProto = new ProtoWriter();
        typeProto.WriteMessage(OnnxProto.Type.TensorType, tensorType);
        var valueInfo = new ProtoWriter();
        valueInfo.WriteString(OnnxProto.ValueInfo.Name, name);
        valueInfo.WriteMessage(OnnxProto.ValueInfo.Type, typeProto);
        return valueInfo.ToArray();
    }

    /// <summary>A NodeProto; an empty domain is the default ONNX domain and is not written.</summary>
    public static byte[] Node(string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, object>? attributes, string domain)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.WriteString(OnnxProto.Node.Input, input);
        }

        foreach (string output in outputs)
        {
            node.WriteString(OnnxProto.Node.Output, output);
        }

        node.WriteString(OnnxProto.Node.Name, name);
        node.WriteString(OnnxProto.Node.OpType, opType);
        if (attributes is not null)
        {
            foreach (KeyValuePair<string, object> attribute in attributes)
            {
                node.WriteMessage(OnnxProto.Node.Attribute, Attribute(name, attribute.Key, attribute.Value));
            }
        }

        if (domain.Length != 0)
        {
            node.WriteString(OnnxProto.Node.Domain, domain);
        }

        return node.ToArray();
    }

    /// <summary>A GraphProto from messages already encoded.</summary>
    public static ProtoWriter Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, IEnumerable<byte[]> inputs, IEnumerable<byte[]> outputs, IEnumerable<byte[]> valueInfos)
    {
        var graph = new ProtoWriter();
        WriteAll(graph, OnnxProto.Graph.Node, nodes);
        graph.WriteString(OnnxProto.Graph.Name, name);
        WriteAll(graph, OnnxProto.Graph.Initializer, initializers);
        WriteAll(graph, OnnxProto.Graph.Input, inputs);
        WriteAll(graph, OnnxProto.Graph.Output, outputs);
        WriteAll(graph, OnnxProto.Graph.ValueInfo, valueInfos);
        return graph;
    }

    /// <summary>A ModelProto around one graph; an empty opset domain is the default ONNX domain.</summary>
    public static ProtoWriter Model(long irVersion, string producerName, string producerVersion, ProtoWriter graph, IEnumerable<KeyValuePair<string, long>> opsets, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ProtoWriter();
        model.WriteInt64(OnnxProto.Model.IrVersion, irVersion);
        model.WriteString(OnnxProto.Model.ProducerName, producerName);
        model.WriteString(OnnxProto.Model.ProducerVersion, producerVersion);
        model.WriteMessage(OnnxProto.Model.Graph, graph);
        foreach (KeyValuePair<string, long> opset in opsets)
        {
            var entry = new ProtoWriter();
            if (opset.Key.Length != 0)
            {
                entry.WriteString(OnnxProto.OperatorSetId.Domain, opset.Key);
            }

            entry.WriteInt64(OnnxProto.OperatorSetId.Version, opset.Value);
            model.WriteMessage(OnnxProto.Model.OpsetImport, entry);
        }

        foreach (KeyValuePair<string, string> property in metadata)
        {
            model.WriteMessage(OnnxProto.Model.MetadataProps, StringEntry(property.Key, property.Value));
        }

        return model;
    }

    private static ProtoWriter TensorHeader(string name, OnnxDataType type, long[] shape)
    {
        var tensor = new ProtoWriter();
        foreach (long dim in shape)
        {
            tensor.WriteInt64(OnnxProto.Tensor.Dims, dim);
        }

        tensor.WriteInt64(OnnxProto.Tensor.DataType, (long)type);
        tensor.WriteString(OnnxProto.Tensor.Name, name);
        return tensor;
    }

    private static void WriteAll(ProtoWriter writer, int field, IEnumerable<byte[]> messages)
    {
        foreach (byte[] message in messages)
        {
            writer.WriteBytes(field, message);
        }
    }

    private static ProtoWriter StringEntry(string key, string value)
    {
        var entry = new ProtoWriter();
        entry.WriteString(OnnxProto.StringStringEntry.Key, key);
        entry.WriteString(OnnxProto.StringStringEntry.Value, value);
        return entry;
    }

    private static ProtoWriter Attribute(string nodeName, string name, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var attribute = new ProtoWriter();
        attribute.WriteString(OnnxProto.Attribute.Name, name);
        switch (value)
        {
            case long i:
                WriteInt(attribute, i);
                break;
            case int i:
                WriteInt(attribute, i);
                break;
            case bool b:
                WriteInt(attribute, b ? 1 : 0);
                break;
            case OnnxDataType type:
                WriteInt(attribute, (long)type);
                break;
            case float f:
                WriteFloat(attribute, f);
                break;
            case double d:
                WriteFloat(attribute, (float)d);
                break;
            case string s:
                attribute.WriteString(OnnxProto.Attribute.S, s);
                attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.String);
                break;
            case long[] ints:
                WriteInts(attribute, ints);
                break;
            case int[] ints:
                WriteInts(attribute, Array.ConvertAll(ints, i => (long)i));
                break;
            case float[] floats:
                foreach (float f in floats)
                {
                    attribute.WriteFloat(OnnxProto.Attribute.Floats, f);
                }

                attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.Floats);
                break;
            case string[] strings:
                foreach (string s in strings)
                {
                    attribute.WriteString(OnnxProto.Attribute.Strings, s);
                }

                attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.Strings);
                break;
            default:
                throw new ArgumentException(
                    $"Attribute '{name}' of node '{nodeName}' has unsupported value type {value?.GetType().Name ?? "null"}.", nameof(value));
        }

        return attribute;

        static void WriteInts(ProtoWriter attribute, long[] ints)
        {
            foreach (long i in ints)
            {
                attribute.WriteInt64(OnnxProto.Attribute.Ints, i);
            }

            attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.Ints);
        }

        static void WriteInt(ProtoWriter attribute, long i)
        {
            attribute.WriteInt64(OnnxProto.Attribute.I, i);
            attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.Int);
        }

        static void WriteFloat(ProtoWriter attribute, float f)
        {
            attribute.WriteFloat(OnnxProto.Attribute.F, f);
            attribute.WriteInt64(OnnxProto.Attribute.Type, OnnxProto.AttributeType.Float);
        }
    }
}
