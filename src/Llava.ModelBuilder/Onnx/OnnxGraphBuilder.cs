using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// The graph API: builds one ONNX model (a single graph), checking names and topology as it goes. Messages are
/// encoded by <see cref="OnnxProtoEncoder"/> (no protobuf library); initializers larger than
/// <see cref="ExternalDataThreshold"/> bytes go to <c>&lt;onnxPath&gt;.data</c> through
/// <see cref="ExternalDataWriter"/> the moment they are added and only their location stays in memory, so
/// converting a 34B checkpoint never holds its weights. Values must be defined (input, initializer or node
/// output) before a node uses them, which keeps the node list topological.
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

    private readonly string _graphName;
    private readonly string _onnxPath;
    private readonly ExternalDataWriter _data;
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
        _data = new ExternalDataWriter(_onnxPath + ".data");
        Directory.CreateDirectory(Path.GetDirectoryName(_onnxPath)!);
    }

    /// <summary>The .onnx file <see cref="Save"/> writes.</summary>
    public string OnnxPath => _onnxPath;

    /// <summary>The external data file; it exists only once an initializer has gone there.</summary>
    public string ExternalDataPath => _data.Path;

    /// <summary>Bytes written to the external data file so far, alignment padding included.</summary>
    public long ExternalDataBytes => _data.Bytes;

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
        _inputs.Add(OnnxProtoEncoder.ValueInfo(name, type, dims));
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

        _outputs.Add((valueName, OnnxProtoEncoder.ValueInfo(valueName, type, dims)));
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
        _valueInfos.Add(OnnxProtoEncoder.ValueInfo(valueName, type, dims));
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

        long expectedBytes = checked(elements * OnnxElementSize.Of(type));
        if (expectedBytes != rawLittleEndian.Length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' of type {type} and shape [{string.Join(", ", shape)}] needs {expectedBytes} bytes, got {rawLittleEndian.Length}.",
                nameof(rawLittleEndian));
        }

        DefineValue(name);
        _initializers.Add(rawLittleEndian.Length > ExternalDataThreshold
            ? OnnxProtoEncoder.ExternalTensor(name, type, shape, _data.Location, _data.Append(rawLittleEndian), rawLittleEndian.Length)
            : OnnxProtoEncoder.InlineTensor(name, type, shape, rawLittleEndian));
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
        int size = OnnxElementSize.Of(type);
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

        foreach (string output in outputNames)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputNames));
            if (output.Length != 0)
            {
                DefineValue(output);
            }
        }

        _usedDomains.Add(domain);
        _nodes.Add(OnnxProtoEncoder.Node(nodeName, opType, inputs, outputNames, attributes, domain));
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
        _data.Close();

        ProtoWriter graph = OnnxProtoEncoder.Graph(_graphName, _nodes, _initializers, _inputs, _outputs.Select(output => output.Encoded), _valueInfos);
        ProtoWriter model = OnnxProtoEncoder.Model(
            IrVersion,
            ProducerName,
            typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            graph,
            _opsets,
            _metadata);

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
        _data.Dispose();
    }

    private static double RequireIntegral(double value) =>
        Math.Floor(value) == value ? value : throw new ArgumentException($"{value} is not an integer.", nameof(value));

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
