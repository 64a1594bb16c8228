using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Graphs;

/// <summary>
/// Writes <c>embedding.onnx</c>: token embeddings with image features spliced in, in order, at the
/// image-token positions (LLaVA's merge). GenAI calls it with <c>image_features</c> of [0, H] on every decode
/// step, so it must work with no image rows: a zero row is appended before gathering, which text positions
/// point at and never use.
/// </summary>
public static class EmbeddingGraphBuilder
{
    public const string InputIds = "input_ids";
    public const string ImageFeatures = "image_features";
    public const string InputsEmbeds = "inputs_embeds";

    public static void Build(string onnxPath, ITensorSource source, LlavaCheckpointConfig config, LlavaTensorNames names, GraphOptions options, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(names);
        int hidden = config.Text.HiddenSize;
        using OnnxGraphBuilder graph = new("llava_embedding", onnxPath);
        GraphEmitter e = new(graph, source, options, "embedding", 1, progress, cancellationToken);
        OnnxDataType t = e.ComputeType;

        string ids = graph.AddInput(InputIds, OnnxDataType.Int64, "batch_size", "sequence_length");
        string features = graph.AddInput(ImageFeatures, t, "num_image_tokens", (long)hidden);
        string embeds = e.CastToComputeType(graph.Node("Gather", [Float16Table(e, names.EmbedTokens, options), ids], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0]);

        // Flattened over batch and sequence: the k-th image token takes image feature row k.
        string flatIds = e.Reshape(ids, -1);
        string isImage = graph.Op("Equal", flatIds, graph.ConstantInt64(config.ImageTokenIndex));
        string running = graph.Node("CumSum", [e.Cast(isImage, OnnxDataType.Int64), e.ScalarInt64(0)])[0];
        string featureRow = graph.Op("Sub", running, graph.ConstantInt64(1));
        string zeroRowIndex = graph.Op("Shape", features);
        zeroRowIndex = graph.Op("Slice", zeroRowIndex, graph.ConstantInt64(0), graph.ConstantInt64(1));
        string rowIndex = graph.Op("Where", isImage, featureRow, zeroRowIndex);
        string padded = graph.Node("Concat", [features, e.AddFloats("image_features.zero_row", new float[hidden], [1, hidden])], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];
        string gathered = graph.Node("Gather", [padded, rowIndex], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];
        gathered = graph.Op("Reshape", gathered, graph.Op("Shape", embeds));

        string mask = graph.Op("Unsqueeze", graph.Op("Equal", ids, graph.ConstantInt64(config.ImageTokenIndex)), graph.ConstantInt64(-1));
        string merged = graph.Op("Where", mask, gathered, embeds);
        graph.AddOutputAs(merged, InputsEmbeds, t, "batch_size", "sequence_length", (long)hidden);
        graph.Save();
    }

    /// <summary>
    /// The token table in float16: half the bytes of float32 (the table is vocabulary x hidden, 0.5 GB for a 7B
    /// model), and only the looked-up rows are widened. Exact for fp16 checkpoints (every llava-hf one but the
    /// bf16 34b, whose values fp16 holds to ~3 decimal digits more than bf16 does); an fp32 model whose table fp16
    /// cannot hold exactly keeps float32, so the fp32 reference path never loses a bit.
    /// </summary>
    private static string Float16Table(GraphEmitter e, string name, GraphOptions options)
    {
        float[] table = e.Read(name, out long[] shape);
        Half[] half = new Half[table.Length];
        HalfConverter.FloatToHalf(table, half);
        bool exact = true;
        for (int i = 0; i < table.Length && exact; i++)
        {
            exact = (float)half[i] == table[i];
        }

        if (options.Precision == ModelPrecision.Fp32 && !exact)
        {
            return e.Graph.AddInitializer(name, table, shape);
        }

        return e.Graph.AddInitializer(name, half, shape);
    }
}
