using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Graphs;

/// <summary>
/// The building blocks the three graph builders share: weights read from the checkpoint and written in the
/// compute precision, linear layers (dense or int4), the two norms, and small constants. It streams: each
/// tensor is read, converted and written before the next one is touched.
/// </summary>
internal sealed class GraphEmitter
{
    private readonly ITensorSource _source;
    private readonly GraphOptions _options;
    private readonly IProgress<ConversionProgress>? _progress;
    private readonly string _stage;
    private readonly int _tensorsTotal;
    private int _tensorsRead;
    private int _constants;

    private readonly CancellationToken _cancellationToken;

    public GraphEmitter(OnnxGraphBuilder graph, ITensorSource source, GraphOptions options, string stage, int tensorsTotal, IProgress<ConversionProgress>? progress, CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        Graph = graph;
        _source = source;
        _options = options;
        _stage = stage;
        _tensorsTotal = tensorsTotal;
        _progress = progress;
        ComputeType = options.Float16Activations ? OnnxDataType.Float16 : OnnxDataType.Float;
    }

    public OnnxGraphBuilder Graph { get; }

    /// <summary>The element type of activations and (non-quantized) weights in this graph.</summary>
    public OnnxDataType ComputeType { get; }

    public int TensorsRead => _tensorsRead;

    /// <summary>Reads a checkpoint tensor as float32 and counts it for progress.</summary>
    public float[] Read(string name, out long[] shape)
    {
        // A 7B stage takes minutes: honour cancellation between tensors, not just between stages.
        _cancellationToken.ThrowIfCancellationRequested();
        shape = _source.GetShape(name);
        float[] data = _source.ReadFloat32(name);
        _tensorsRead++;
        _progress?.Report(new ConversionProgress(_stage, _tensorsRead, _tensorsTotal, Graph.ExternalDataBytes));
        return data;
    }

    /// <summary>Adds a checkpoint tensor as an initializer in the compute type, with an optional new shape.</summary>
    public string Weight(string name, long[]? reshape = null)
    {
        float[] data = Read(name, out long[] shape);
        return AddFloats(name, data, reshape ?? shape);
    }

    /// <summary>Adds float data as an initializer in the compute type.</summary>
    public string AddFloats(string name, float[] data, long[] shape)
    {
        if (ComputeType == OnnxDataType.Float16)
        {
            Half[] half = new Half[data.Length];
            HalfConverter.FloatToHalf(data, half);
            return Graph.AddInitializer(name, half, shape);
        }

        return Graph.AddInitializer(name, data, shape);
    }

    /// <summary>
    /// x @ W^T + b for an HF Linear weight W [out, in]. Dense weights are stored transposed ([in, out]) so that
    /// ONNX MatMul applies them directly; with <paramref name="quantizable"/> and int4 precision they become a
    /// MatMulNBits node instead.
    /// </summary>
    public string Linear(string x, string weightName, string? biasName = null, bool quantizable = false)
    {
        float[] w = Read(weightName, out long[] shape);
        if (shape.Length != 2)
        {
            throw new CheckpointException($"{weightName}: expected a 2-D Linear weight, found shape [{string.Join(", ", shape)}].");
        }

        string y = LinearFromWeights(x, weightName, w, checked((int)shape[0]), checked((int)shape[1]), quantizable);
        return biasName is null ? y : Graph.Op("Add", y, Weight(biasName));
    }

    /// <summary>
    /// x @ W^T for W [n, k] (row-major, HF layout) already read, e.g. several projections concatenated along n:
    /// dense (stored transposed) or, when <paramref name="quantizable"/> and int4, a MatMulNBits node with the
    /// provider's accuracy level and the graph's activation type.
    /// </summary>
    public string LinearFromWeights(string x, string name, float[] w, int n, int k, bool quantizable)
    {
        if (quantizable && _options.Precision == ModelPrecision.Int4)
        {
            return Int4BlockQuantizer.MatMulNBits(Graph, x, name, w, n, k, _options.Int4BlockSize, ComputeType, _options.Int4AccuracyLevel, _options.Int4Scheme);
        }

        float[] transposed = Transpose(w, n, k);
        string init = AddFloats(name + ".T", transposed, [k, n]);
        return Graph.Op("MatMul", x, init);
    }

    /// <summary>LayerNorm over the last axis (CLIP). Computed in float32 whatever the compute type.</summary>
    public string LayerNorm(string x, string weightName, string biasName, double epsilon)
    {
        float[] w = Read(weightName, out long[] wShape);
        float[] b = Read(biasName, out long[] bShape);
        string wInit = Graph.AddInitializer(weightName, w, wShape);
        string bInit = Graph.AddInitializer(biasName, b, bShape);
        string y = Graph.Node(
            "LayerNormalization",
            [ToFloat(x), wInit, bInit],
            attributes: new Dictionary<string, object> { ["axis"] = -1L, ["epsilon"] = (float)epsilon })[0];
        return FromFloat(y);
    }

    /// <summary>
    /// Llama RMSNorm as HF computes it: in float32, x * rsqrt(mean(x^2) + eps), back to the input type, times
    /// the weight.
    /// </summary>
    public string RmsNorm(string x, string weightName, double epsilon)
    {
        string xf = ToFloat(x);
        string variance = Graph.Node(
            "ReduceMean",
            [Graph.Op("Mul", xf, xf)],
            attributes: new Dictionary<string, object> { ["axes"] = new long[] { -1 }, ["keepdims"] = 1L })[0];
        string inverse = Graph.Op("Reciprocal", Graph.Op("Sqrt", Graph.Op("Add", variance, Graph.ConstantFloat((float)epsilon))));
        string normalised = FromFloat(Graph.Op("Mul", xf, inverse));
        return Graph.Op("Mul", Weight(weightName), normalised);
    }

    /// <summary>A rank-0 constant in the compute type.</summary>
    public string Scalar(double value) => Graph.ConstantScalar(ComputeType, value);

    /// <summary>A rank-0 int64 constant.</summary>
    public string ScalarInt64(long value) => Graph.AddInitializer($"const.i64.{_constants++}", new long[] { value }, []);

    /// <summary>Casts to float32 when the compute type is narrower (no-op otherwise).</summary>
    public string ToFloat(string x) => ComputeType == OnnxDataType.Float ? x : Cast(x, OnnxDataType.Float);

    /// <summary>Casts float32 back to the compute type (no-op when that is float32).</summary>
    public string FromFloat(string x) => ComputeType == OnnxDataType.Float ? x : Cast(x, ComputeType);

    /// <summary>Casts a float16 or float32 value to the compute type (CastLike: a no-op when the types agree).</summary>
    public string CastToComputeType(string x) => Graph.Op("CastLike", x, Scalar(0));

    public string Cast(string x, OnnxDataType to) =>
        Graph.Node("Cast", [x], attributes: new Dictionary<string, object> { ["to"] = to })[0];

    public string Transpose(string x, params long[] perm) =>
        Graph.Node("Transpose", [x], attributes: new Dictionary<string, object> { ["perm"] = perm })[0];

    public string Reshape(string x, params long[] shape) => Graph.Op("Reshape", x, Graph.ConstantInt64(shape));

    public string Softmax(string x) =>
        Graph.Node("Softmax", [x], attributes: new Dictionary<string, object> { ["axis"] = -1L })[0];

    /// <summary>Rank-0 int64 element <paramref name="index"/> of the shape of <paramref name="x"/>.</summary>
    public string Dim(string x, long index) =>
        Graph.Node("Gather", [Graph.Op("Shape", x), ScalarInt64(index)], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];

    /// <summary>Row-major transpose of a [rows, cols] matrix.</summary>
    public static float[] Transpose(float[] m, int rows, int cols)
    {
        float[] t = new float[m.Length];
        Parallel.For(0, rows, r =>
        {
            int src = r * cols;
            for (int c = 0; c < cols; c++)
            {
                t[(c * rows) + r] = m[src + c];
            }
        });
        return t;
    }
}
