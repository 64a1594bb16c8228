using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// Builds one ONNX model (a single graph) and writes it without a protobuf library. Initializers larger than
/// <see cref="ExternalDataThreshold"/> bytes go to <c>&lt;onnxPath&gt;.data</c> the moment they are added and only
/// their location stays in memory, so converting a 34B checkpoint never holds its weights. Values must be
/// defined (input, initializer or node output) before a node uses them, which keeps the node list topological.
/// </summary>
public sealed class OnnxGraphBuilder : IDisposable
{
    /// <summary>Initializers of more bytes than this are stored in the external data file.</summary>
    public const int ExternalDataThreshold = 1024;

    /// <summary>ONNX IR version 8 is the one that goes with opset 17; ONNX Runtime 1.31 reads up to 11.</summary>
    public const long IrVersion = 8;

    public const long DefaultOnnxOpset = 17;
    public const long DefaultMicrosoftOpset = 1;
    public const string MicrosoftDomain = "com.microsoft";
    public const string ProducerName = "Llava.ModelBuilder";

    private const int SmallAlignment = 64;

    // Page-aligned offsets let the runtime memory-map big tensors; the padding is negligible at this size.
    private const int LargeAlignment = 4096;
    private const long LargeTensorBytes = 1 << 20;
    private const int DataFileBufferBytes = 4 << 20;

    // ModelProto fields.
    private const int ModelIrVersion = 1;
    private const int ModelProducerName = 2;
    private const int ModelProducerVersion = 3;
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int ModelMetadataProps = 14;

    // GraphProto fields.
    private const int GraphNode = 1;
    private const int GraphName = 2;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;

    // NodeProto fields.
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int NodeDomain = 7;

    // AttributeProto fields and AttributeType values.
    private const int AttributeName = 1;
    private const int AttributeF = 2;
    private const int AttributeI = 3;
    private const int AttributeS = 4;
    private const int AttributeFloats = 7;
    private const int AttributeInts = 8;
    private const int AttributeStrings = 9;
    private const int AttributeTypeField = 20;
    private const int AttributeTypeFloat = 1;
    private const int AttributeTypeInt = 2;
    private const int AttributeTypeString = 3;
    private const int AttributeTypeFloats = 6;
    private const int AttributeTypeInts = 7;
    private const int AttributeTypeStrings = 8;

    // TensorProto fields.
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int DataLocationExternal = 1;

    // ValueInfoProto / TypeProto / TensorShapeProto fields.
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensorType = 1;
    private const int TypeTensorElemType = 1;
    private const int TypeTensorShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int DimParam = 2;

    // OperatorSetIdProto and StringStringEntryProto fields.
    private const int OpsetDomain = 1;
    private const int OpsetVersion = 2;
    private const int EntryKey = 1;
    private const int EntryValue = 2;

    private readonly string _graphName;
    private readonly string _onnxPath;
    private readonly string _dataPath;
    private readonly string _dataLocation;
    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<(string Name, byte[] Encoded)> _outputs = [];
    private readonly List<byte[]> _valueInfos = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal)
    {
        [""] = DefaultOnnxOpset,
        [MicrosoftDomain] = DefaultMicrosoftOpset,
    };

    private readonly HashSet<string> _usedDomains = new(StringComparer.Ordinal);
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private FileStream? _data;
    private long _externalDataBytes;
    private int _nextId;
    private bool _saved;
    private bool _disposed;

    /// <param name="graphName">GraphProto.name.</param>
    /// <param name="onnxPath">The .onnx file that <see cref="Save"/> writes; weights go to <c>onnxPath + ".data"</c>.</param>
    public OnnxGraphBuilder(string graphName, string onnxPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        if (!BitConverter.IsLittleEndian)
        {
            // Raw tensor data is little-endian and is copied from memory as is.
            throw new PlatformNotSupportedException("The ONNX writer needs a little-endian machine.");
        }

        _graphName = graphName;
        _onnxPath = Path.GetFullPath(onnxPath);
        _dataPath = _onnxPath + ".data";
        _dataLocation = Path.GetFileName(_dataPath);
        Directory.CreateDirectory(Path.GetDirectoryName(_onnxPath)!);
    }

    /// <summary>The .onnx file <see cref="Save"/> writes.</summary>
    public string OnnxPath => _onnxPath;

    /// <summary>The external data file; it exists only once an initializer has gone there.</summary>
    public string ExternalDataPath => _dataPath;

    /// <summary>Bytes written to the external data file so far, alignment padding included.</summary>
    public long ExternalDataBytes => _externalDataBytes;

    /// <summary>True when a graph input, initializer or node output of that name exists.</summary>
    public bool IsDefined(string valueName) => _values.Contains(valueName);

    /// <summary>Imports another operator set, or changes the version of one already imported.</summary>
    public void SetOpset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ThrowIfClosed();
        _opsets[domain] = version;
    }

    /// <summary>Adds a ModelProto.metadata_props entry.</summary>
    public void AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfClosed();
        _metadata.Add(new(key, value));
    }

    /// <summary>Declares a graph input. Each dim is a long (fixed) or a string (symbolic, e.g. "batch").</summary>
    public string AddInput(string name, OnnxDataType type, params object[] dims)
    {
        ThrowIfClosed();
        DefineValue(name);
        _inputs.Add(EncodeValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Makes an existing value (or one defined before <see cref="Save"/>) a graph output of that name.</summary>
    public void AddOutput(string valueName, OnnxDataType type, params object[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(valueName);
        ThrowIfClosed();
        if (!_outputNames.Add(valueName))
        {
            throw new ArgumentException($"'{valueName}' is already a graph output.", nameof(valueName));
        }

        _outputs.Add((valueName, EncodeValueInfo(valueName, type, dims)));
    }

    /// <summary>Exposes <paramref name="valueName"/> as a graph output named <paramref name="outputName"/> through an Identity node.</summary>
    public void AddOutputAs(string valueName, string outputName, OnnxDataType type, params object[] dims)
    {
        Node("Identity", [valueName], [outputName]);
        AddOutput(outputName, type, dims);
    }

    /// <summary>Records the type and shape of an intermediate value (GraphProto.value_info); optional for the runtime.</summary>
    public void AddValueInfo(string valueName, OnnxDataType type, params object[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(valueName);
        ThrowIfClosed();
        _valueInfos.Add(EncodeValueInfo(valueName, type, dims));
    }

    /// <summary>Adds a constant tensor from little-endian bytes; large ones are written to the data file at once.</summary>
    public string AddInitializer(string name, OnnxDataType type, long[] shape, ReadOnlySpan<byte> rawLittleEndian)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ThrowIfClosed();
        long elements = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Initializer '{name}' has a negative dimension in [{string.Join(", ", shape)}].", nameof(shape));
            }

            elements = checked(elements * dim);
        }

        long expectedBytes = checked(elements * ElementSize(type));
        if (expectedBytes != rawLittleEndian.Length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' of type {type} and shape [{string.Join(", ", shape)}] needs {expectedBytes} bytes, got {rawLittleEndian.Length}.",
                nameof(rawLittleEndian));
        }

        DefineValue(name);
        var tensor = new ProtoWriter();
        foreach (long dim in shape)
        {
            tensor.WriteInt64(TensorDims, dim);
        }

        tensor.WriteInt64(TensorDataType, (long)type);
        tensor.WriteString(TensorName, name);
        if (rawLittleEndian.Length > ExternalDataThreshold)
        {
            long offset = AppendExternal(rawLittleEndian);
            tensor.WriteMessage(TensorExternalData, Entry("location", _dataLocation));
            tensor.WriteMessage(TensorExternalData, Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
            tensor.WriteMessage(TensorExternalData, Entry("length", rawLittleEndian.Length.ToString(CultureInfo.InvariantCulture)));
            tensor.WriteInt64(TensorDataLocation, DataLocationExternal);
        }
        else
        {
            tensor.WriteBytes(TensorRawData, rawLittleEndian);
        }

        _initializers.Add(tensor.ToArray());
        return name;
    }

    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] shape) =>
        AddInitializer(name, OnnxDataType.Float, shape, MemoryMarshal.AsBytes(data));

    public string AddInitializer(string name, ReadOnlySpan<Half> data, params long[] shape) =>
        AddInitializer(name, OnnxDataType.Float16, shape, MemoryMarshal.AsBytes(data));

    public string AddInitializer(string name, ReadOnlySpan<long> data, params long[] shape) =>
        AddInitializer(name, OnnxDataType.Int64, shape, MemoryMarshal.AsBytes(data));

    public string AddInitializer(string name, ReadOnlySpan<int> data, params long[] shape) =>
        AddInitializer(name, OnnxDataType.Int32, shape, MemoryMarshal.AsBytes(data));

    /// <summary>A 1-D int64 initializer with a generated name; equal constants share one initializer.</summary>
    public string ConstantInt64(params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string key = "i64:" + string.Join(',', values);
        if (_constants.TryGetValue(key, out string? existing))
        {
            return existing;
        }

        string name = AddInitializer(UniqueName("const_i64"), values.AsSpan(), values.Length);
        _constants[key] = name;
        return name;
    }

    /// <summary>A rank-0 float32 initializer.</summary>
    public string ConstantFloat(float value) => ConstantScalar(OnnxDataType.Float, value);

    /// <summary>A rank-0 initializer of any numeric type (Float, Float16, BFloat16, integers, Bool); equal ones are shared.</summary>
    public string ConstantScalar(OnnxDataType type, double value)
    {
        string key = string.Create(CultureInfo.InvariantCulture, $"{type}:{BitConverter.DoubleToInt64Bits(value)}");
        if (_constants.TryGetValue(key, out string? existing))
        {
            return existing;
        }

        Span<byte> raw = stackalloc byte[8];
        int size = ElementSize(type);
        switch (type)
        {
            case OnnxDataType.Float:
                BinaryPrimitives.WriteSingleLittleEndian(raw, (float)value);
                break;
            case OnnxDataType.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(raw, (Half)value);
                break;
            case OnnxDataType.BFloat16:
                BinaryPrimitives.WriteUInt16LittleEndian(raw, HalfConverter.FloatToBFloat16Bits((float)value));
                break;
            case OnnxDataType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(raw, checked((long)RequireIntegral(value)));
                break;
            case OnnxDataType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(raw, checked((int)RequireIntegral(value)));
                break;
            case OnnxDataType.Int8:
                raw[0] = unchecked((byte)checked((sbyte)RequireIntegral(value)));
                break;
            case OnnxDataType.UInt8:
                raw[0] = checked((byte)RequireIntegral(value));
                break;
            case OnnxDataType.Bool:
                raw[0] = value != 0 ? (byte)1 : (byte)0;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported scalar type.");
        }

        string name = AddInitializer(UniqueName("const_" + type.ToString().ToLowerInvariant()), type, [], raw[..size]);
        _constants[key] = name;
        return name;
    }

    /// <summary>
    /// Adds a node. Outputs are named <c>{name}/output_{i}</c>, or get a generated unique name when the node is
    /// unnamed. An empty input name is an omitted optional input. Attribute values may be long, int, bool,
    /// float, double, string, long[], int[], float[], string[] or <see cref="OnnxDataType"/> (stored as an int).
    /// </summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputs = 1, IReadOnlyDictionary<string, object>? attributes = null, string domain = "", string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outputs);
        ArgumentException.ThrowIfNullOrEmpty(opType);
        string nodeName = name ?? UniqueNodeName(opType);
        var outputNames = new string[outputs];
        for (int i = 0; i < outputs; i++)
        {
            outputNames[i] = nodeName + "/output_" + i.ToString(CultureInfo.InvariantCulture);
        }

        return Node(opType, inputs, outputNames, attributes, domain, nodeName);
    }

    /// <summary>Adds a node whose outputs have the given names (an empty name omits an optional output).</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputNames, IReadOnlyDictionary<string, object>? attributes = null, string domain = "", string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputNames);
        ArgumentNullException.ThrowIfNull(domain);
        ThrowIfClosed();

        string nodeName = name ?? UniqueNodeName(opType);
        if (!_nodeNames.Add(nodeName))
        {
            throw new ArgumentException($"A node named '{nodeName}' already exists.", nameof(name));
        }

        foreach (string input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (input.Length != 0 && !_values.Contains(input))
            {
                throw new ArgumentException($"Node '{nodeName}' ({opType}) uses '{input}', which is not defined yet.", nameof(inputs));
            }
        }

        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.WriteString(NodeInput, input);
        }

        foreach (string output in outputNames)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputNames));
            if (output.Length != 0)
            {
                DefineValue(output);
            }

            node.WriteString(NodeOutput, output);
        }

        node.WriteString(NodeName, nodeName);
        node.WriteString(NodeOpType, opType);
        if (attributes is not null)
        {
            foreach (KeyValuePair<string, object> attribute in attributes)
            {
                node.WriteMessage(NodeAttribute, EncodeAttribute(nodeName, attribute.Key, attribute.Value));
            }
        }

        if (domain.Length != 0)
        {
            node.WriteString(NodeDomain, domain);
        }

        _usedDomains.Add(domain);
        _nodes.Add(node.ToArray());
        return [.. outputNames];
    }

    /// <summary>A single-output node without attributes.</summary>
    public string Op(string opType, params string[] inputs) => Node(opType, inputs)[0];

    /// <summary>A single-output node with attributes.</summary>
    public string Op(string opType, IReadOnlyDictionary<string, object> attributes, params string[] inputs) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Closes the data file and writes the .onnx file (ModelProto). The builder cannot be used afterwards.</summary>
    public void Save()
    {
        ThrowIfClosed();
        foreach ((string output, _) in _outputs)
        {
            if (!_values.Contains(output))
            {
                throw new InvalidOperationException($"Graph output '{output}' is never produced.");
            }
        }

        foreach (string domain in _usedDomains)
        {
            if (!_opsets.ContainsKey(domain))
            {
                throw new InvalidOperationException($"Nodes use domain '{domain}', which has no opset import (call SetOpset).");
            }
        }

        // The data file is complete before the model that points into it exists.
        CloseDataFile();

        var graph = new ProtoWriter();
        foreach (byte[] node in _nodes)
        {
            graph.WriteBytes(GraphNode, node);
        }

        graph.WriteString(GraphName, _graphName);
        foreach (byte[] initializer in _initializers)
        {
            graph.WriteBytes(GraphInitializer, initializer);
        }

        foreach (byte[] input in _inputs)
        {
            graph.WriteBytes(GraphInput, input);
        }

        foreach ((_, byte[] output) in _outputs)
        {
            graph.WriteBytes(GraphOutput, output);
        }

        foreach (byte[] valueInfo in _valueInfos)
        {
            graph.WriteBytes(GraphValueInfo, valueInfo);
        }

        var model = new ProtoWriter();
        model.WriteInt64(ModelIrVersion, IrVersion);
        model.WriteString(ModelProducerName, ProducerName);
        model.WriteString(ModelProducerVersion, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0");
        model.WriteMessage(ModelGraph, graph);
        foreach (KeyValuePair<string, long> opset in _opsets)
        {
            var entry = new ProtoWriter();
            if (opset.Key.Length != 0)
            {
                entry.WriteString(OpsetDomain, opset.Key);
            }

            entry.WriteInt64(OpsetVersion, opset.Value);
            model.WriteMessage(ModelOpsetImport, entry);
        }

        foreach (KeyValuePair<string, string> property in _metadata)
        {
            model.WriteMessage(ModelMetadataProps, Entry(property.Key, property.Value));
        }

        using (var file = new FileStream(_onnxPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(model.WrittenSpan);
        }

        _saved = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CloseDataFile();
    }

    private static int ElementSize(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Int64 => 8,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ONNX element type."),
    };

    private static double RequireIntegral(double value) =>
        Math.Floor(value) == value ? value : throw new ArgumentException($"{value} is not an integer.", nameof(value));

    private static ProtoWriter Entry(string key, string value)
    {
        var entry = new ProtoWriter();
        entry.WriteString(EntryKey, key);
        entry.WriteString(EntryValue, value);
        return entry;
    }

    private static byte[] EncodeValueInfo(string name, OnnxDataType type, object[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        _ = ElementSize(type);
        var shape = new ProtoWriter();
        foreach (object dim in dims)
        {
            var dimension = new ProtoWriter();
            switch (dim)
            {
                case long value when value >= 0:
                    dimension.WriteInt64(DimValue, value);
                    break;
                case int value when value >= 0:
                    dimension.WriteInt64(DimValue, value);
                    break;
                case string param when param.Length != 0:
                    dimension.WriteString(DimParam, param);
                    break;
                default:
                    throw new ArgumentException($"Dimension '{dim}' of '{name}' must be a non-negative long or a non-empty string.", nameof(dims));
            }

            shape.WriteMessage(ShapeDim, dimension);
        }

        var tensorType = new ProtoWriter();
        tensorType.WriteInt64(TypeTensorElemType, (long)type);
        tensorType.WriteMessage(TypeTensorShape, shape);
        var typeProto = new ProtoWriter();
        typeProto.WriteMessage(TypeTensorType, tensorType);
        var valueInfo = new ProtoWriter();
        valueInfo.WriteString(ValueInfoName, name);
        valueInfo.WriteMessage(ValueInfoType, typeProto);
        return valueInfo.ToArray();
    }

    private static ProtoWriter EncodeAttribute(string nodeName, string name, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var attribute = new ProtoWriter();
        attribute.WriteString(AttributeName, name);
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
                attribute.WriteString(AttributeS, s);
                attribute.WriteInt64(AttributeTypeField, AttributeTypeString);
                break;
            case long[] ints:
                foreach (long i in ints)
                {
                    attribute.WriteInt64(AttributeInts, i);
                }

                attribute.WriteInt64(AttributeTypeField, AttributeTypeInts);
                break;
            case int[] ints:
                foreach (int i in ints)
                {
                    attribute.WriteInt64(AttributeInts, i);
                }

                attribute.WriteInt64(AttributeTypeField, AttributeTypeInts);
                break;
            case float[] floats:
                foreach (float f in floats)
                {
                    attribute.WriteFloat(AttributeFloats, f);
                }

                attribute.WriteInt64(AttributeTypeField, AttributeTypeFloats);
                break;
            case string[] strings:
                foreach (string s in strings)
                {
                    attribute.WriteString(AttributeStrings, s);
                }

                attribute.WriteInt64(AttributeTypeField, AttributeTypeStrings);
                break;
            default:
                throw new ArgumentException(
                    $"Attribute '{name}' of node '{nodeName}' has unsupported value type {value?.GetType().Name ?? "null"}.", nameof(value));
        }

        return attribute;

        static void WriteInt(ProtoWriter attribute, long i)
        {
            attribute.WriteInt64(AttributeI, i);
            attribute.WriteInt64(AttributeTypeField, AttributeTypeInt);
        }

        static void WriteFloat(ProtoWriter attribute, float f)
        {
            attribute.WriteFloat(AttributeF, f);
            attribute.WriteInt64(AttributeTypeField, AttributeTypeFloat);
        }
    }

    private long AppendExternal(ReadOnlySpan<byte> data)
    {
        _data ??= new FileStream(_dataPath, FileMode.Create, FileAccess.Write, FileShare.None, DataFileBufferBytes);
        int alignment = data.Length >= LargeTensorBytes ? LargeAlignment : SmallAlignment;
        long offset = (_externalDataBytes + alignment - 1) / alignment * alignment;
        if (offset != _externalDataBytes)
        {
            Span<byte> padding = stackalloc byte[LargeAlignment];
            padding.Clear();
            _data.Write(padding[..(int)(offset - _externalDataBytes)]);
        }

        _data.Write(data);
        _externalDataBytes = offset + data.Length;
        return offset;
    }

    private void CloseDataFile()
    {
        if (_data is not null)
        {
            _data.Flush(flushToDisk: false);
            _data.Dispose();
            _data = null;
        }
    }

    private void DefineValue(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.Add(name))
        {
            throw new ArgumentException($"A value named '{name}' already exists.", nameof(name));
        }
    }

    private string UniqueName(string prefix)
    {
        string name;
        do
        {
            name = prefix + "_" + (_nextId++).ToString(CultureInfo.InvariantCulture);
        }
        while (_values.Contains(name));
        return name;
    }

    private string UniqueNodeName(string opType)
    {
        string name;
        do
        {
            name = "/" + opType + "_" + (_nextId++).ToString(CultureInfo.InvariantCulture);
        }
        while (_nodeNames.Contains(name) || _values.Contains(name + "/output_0"));
        return name;
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_saved)
        {
            throw new InvalidOperationException("The model has been saved; the builder cannot change it any more.");
        }
    }
}
