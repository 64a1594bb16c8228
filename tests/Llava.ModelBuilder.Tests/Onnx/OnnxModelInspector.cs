namespace Llava.ModelBuilder.Tests.Onnx;

/// <summary>
/// Reads what structural tests need from a saved .onnx file (ModelProto wire format, no runtime involved): each
/// node's op type, domain and integer attributes, and each graph input's and output's element type. Lets tests
/// check graphs built for a provider this machine cannot run (CUDA).
/// </summary>
internal sealed class OnnxModelInspector
{
    private OnnxModelInspector(List<OnnxNodeInfo> nodes, Dictionary<string, int> inputs, Dictionary<string, int> outputs)
    {
        Nodes = nodes;
        InputTypes = inputs;
        OutputTypes = outputs;
    }

    public IReadOnlyList<OnnxNodeInfo> Nodes { get; }

    /// <summary>Graph input name to ONNX TensorProto.DataType (1 float, 10 float16, 7 int64, ...).</summary>
    public IReadOnlyDictionary<string, int> InputTypes { get; }

    public IReadOnlyDictionary<string, int> OutputTypes { get; }

    public static OnnxModelInspector Load(string path)
    {
        byte[] model = File.ReadAllBytes(path);
        List<OnnxNodeInfo> nodes = [];
        Dictionary<string, int> inputs = new(StringComparer.Ordinal);
        Dictionary<string, int> outputs = new(StringComparer.Ordinal);
        foreach ((int field, ReadOnlyMemory<byte> graph) in Messages(model))
        {
            if (field != 7)
            {
                continue; // ModelProto.graph
            }

            foreach ((int graphField, ReadOnlyMemory<byte> item) in Messages(graph))
            {
                switch (graphField)
                {
                    case 1:
                        nodes.Add(ReadNode(item));
                        break;
                    case 11:
                        AddValueInfo(item, inputs);
                        break;
                    case 12:
                        AddValueInfo(item, outputs);
                        break;
                }
            }
        }

        return new OnnxModelInspector(nodes, inputs, outputs);
    }

    private static OnnxNodeInfo ReadNode(ReadOnlyMemory<byte> node)
    {
        string opType = string.Empty;
        string domain = string.Empty;
        Dictionary<string, long> ints = new(StringComparer.Ordinal);
        List<string> inputs = [];
        string nodeName = string.Empty;
        foreach ((int field, ReadOnlyMemory<byte> value) in Messages(node))
        {
            if (field == 1)
            {
                inputs.Add(System.Text.Encoding.UTF8.GetString(value.Span));
            }
            else if (field == 3)
            {
                nodeName = System.Text.Encoding.UTF8.GetString(value.Span);
            }
            else if (field == 4)
            {
                opType = System.Text.Encoding.UTF8.GetString(value.Span);
            }
            else if (field == 7)
            {
                domain = System.Text.Encoding.UTF8.GetString(value.Span);
            }
            else if (field == 5)
            {
                string name = string.Empty;
                long? integer = null;
                ReadFields(value.Span, (f, v, bytes) =>
                {
                    if (f == 1 && bytes is { } b)
                    {
                        name = System.Text.Encoding.UTF8.GetString(b);
                    }
                    else if (f == 3 && bytes is null)
                    {
                        integer = v;
                    }
                });
                if (integer is long i)
                {
                    ints[name] = i;
                }
            }
        }

        return new OnnxNodeInfo(opType, domain, ints, inputs, nodeName);
    }

    private static void AddValueInfo(ReadOnlyMemory<byte> valueInfo, Dictionary<string, int> into)
    {
        string name = string.Empty;
        int elemType = 0;
        foreach ((int field, ReadOnlyMemory<byte> value) in Messages(valueInfo))
        {
            if (field == 1)
            {
                name = System.Text.Encoding.UTF8.GetString(value.Span);
            }
            else if (field == 2)
            {
                // TypeProto.tensor_type (1) -> TypeProto.Tensor.elem_type (1)
                foreach ((int typeField, ReadOnlyMemory<byte> tensor) in Messages(value))
                {
                    if (typeField == 1)
                    {
                        ReadFields(tensor.Span, (f, v, bytes) =>
                        {
                            if (f == 1 && bytes is null)
                            {
                                elemType = (int)v;
                            }
                        });
                    }
                }
            }
        }

        into[name] = elemType;
    }

    /// <summary>The length-delimited fields of a message, with their field numbers.</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Messages(ReadOnlyMemory<byte> message)
    {
        List<(int, ReadOnlyMemory<byte>)> result = [];
        int position = 0;
        ReadOnlySpan<byte> span = message.Span;
        while (position < span.Length)
        {
            ulong key = ReadVarint(span, ref position);
            int field = (int)(key >> 3);
            int wire = (int)(key & 7);
            if (wire == 2)
            {
                int length = checked((int)ReadVarint(span, ref position));
                result.Add((field, message.Slice(position, length)));
                position += length;
            }
            else
            {
                Skip(span, ref position, wire);
            }
        }

        return result;
    }

    private delegate void FieldVisitor(int field, long varint, byte[]? bytes);

    private static void ReadFields(ReadOnlySpan<byte> span, FieldVisitor visit)
    {
        int position = 0;
        while (position < span.Length)
        {
            ulong key = ReadVarint(span, ref position);
            int field = (int)(key >> 3);
            int wire = (int)(key & 7);
            if (wire == 0)
            {
                visit(field, (long)ReadVarint(span, ref position), null);
            }
            else if (wire == 2)
            {
                int length = checked((int)ReadVarint(span, ref position));
                visit(field, 0, span.Slice(position, length).ToArray());
                position += length;
            }
            else
            {
                Skip(span, ref position, wire);
            }
        }
    }

    private static void Skip(ReadOnlySpan<byte> span, ref int position, int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint(span, ref position);
                break;
            case 1:
                position += 8;
                break;
            case 5:
                position += 4;
                break;
            default:
                throw new InvalidDataException($"Unexpected protobuf wire type {wire}.");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
    }
}
