using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Onnx;
using Llava.ModelFormat;

namespace Llava.ModelBuilder.Graphs;

/// <summary>
/// Writes <c>vision.onnx</c>: CLIP ViT up to the selected hidden state, the feature-select strategy, the
/// mlp2x_gelu projector, and the final arrangement of feature rows.
/// </summary>
/// <remarks>
/// Inputs: <c>pixel_values</c> [tiles, 3, S, S] (every tile of every image in the prompt, each image's base
/// tile first) and <c>image_feature_index</c> int64 [rows]. The graph projects every tile to
/// [tiles * F, H], appends LLaVA-NeXT's learned <c>image_newline</c> as one extra row (a zero row for 1.5),
/// and gathers the rows the index names. The index is computed by the runtime from the same anyres geometry
/// that cut the tiles, so unpadding, newline placement and the image-token count can never disagree; the
/// graph needs no knowledge of image sizes. See docs/model-format.md.
/// </remarks>
public static class VisionGraphBuilder
{
    public const string PixelValues = "pixel_values";
    public const string FeatureIndex = "image_feature_index";
    public const string ImageFeatures = "image_features";

    public static void Build(string onnxPath, ITensorSource source, LlavaCheckpointConfig config, LlavaTensorNames names, GraphOptions options, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(names);
        VisionTowerConfig v = config.Vision;
        int layers = config.VisionLayersToRun;
        int tensors = 5 + (layers * 16) + 4 + (config.Architecture == LlavaArchitecture.LlavaNext ? 1 : 0);
        using OnnxGraphBuilder graph = new("llava_vision", onnxPath);
        GraphEmitter e = new(graph, source, options with { Precision = options.Float16Activations ? ModelPrecision.Fp16 : ModelPrecision.Fp32, ExecutionProvider = ExecutionProviderName.Cpu }, "vision", tensors, progress, cancellationToken);
        OnnxDataType t = e.ComputeType;

        string pixels = graph.AddInput(PixelValues, t, "num_tiles", (long)v.NumChannels, (long)v.ImageSize, (long)v.ImageSize);
        string index = graph.AddInput(FeatureIndex, OnnxDataType.Int64, "num_image_tokens");

        // Patch embedding: a stride-P convolution without bias, flattened to [tiles, patches, hidden].
        string patchWeight = e.Weight(names.VisionPatchEmbedding);
        string patches = graph.Node(
            "Conv",
            [pixels, patchWeight],
            attributes: new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { v.PatchSize, v.PatchSize },
                ["strides"] = new long[] { v.PatchSize, v.PatchSize },
            })[0];
        patches = e.Transpose(graph.Op("Reshape", patches, graph.ConstantInt64(0, v.HiddenSize, -1)), 0, 2, 1);

        // CLS token first, then position embeddings for all positions.
        string cls = e.Weight(names.VisionClassEmbedding, [1, 1, v.HiddenSize]);
        string tilesThenOneThenHidden = graph.Node("Concat", [SliceFirst(e, pixels), graph.ConstantInt64(1, v.HiddenSize)], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];
        string clsPerTile = graph.Op("Expand", cls, tilesThenOneThenHidden);
        string x = graph.Node("Concat", [clsPerTile, patches], attributes: new Dictionary<string, object> { ["axis"] = 1L })[0];
        x = graph.Op("Add", x, e.Weight(names.VisionPositionEmbedding));
        x = e.LayerNorm(x, names.VisionPreLayerNorm + ".weight", names.VisionPreLayerNorm + ".bias", v.LayerNormEps);

        int heads = v.NumAttentionHeads;
        int headDim = v.HiddenSize / heads;
        for (int i = 0; i < layers; i++)
        {
            string p = names.VisionLayer(i);
            string residual = x;
            string h = e.LayerNorm(x, p + "layer_norm1.weight", p + "layer_norm1.bias", v.LayerNormEps);
            // HF CLIP scales the queries (not the scores) by head_dim^-0.5.
            string q = graph.Op("Mul", e.Linear(h, p + "self_attn.q_proj.weight", p + "self_attn.q_proj.bias"), e.Scalar(Math.Pow(headDim, -0.5)));
            string k = e.Linear(h, p + "self_attn.k_proj.weight", p + "self_attn.k_proj.bias");
            string val = e.Linear(h, p + "self_attn.v_proj.weight", p + "self_attn.v_proj.bias");
            q = e.Transpose(e.Reshape(q, 0, 0, heads, headDim), 0, 2, 1, 3);
            k = e.Transpose(e.Reshape(k, 0, 0, heads, headDim), 0, 2, 3, 1);
            val = e.Transpose(e.Reshape(val, 0, 0, heads, headDim), 0, 2, 1, 3);
            string probs = e.FromFloat(e.Softmax(e.ToFloat(graph.Op("MatMul", q, k))));
            string attn = e.Reshape(e.Transpose(graph.Op("MatMul", probs, val), 0, 2, 1, 3), 0, 0, v.HiddenSize);
            attn = e.Linear(attn, p + "self_attn.out_proj.weight", p + "self_attn.out_proj.bias");
            x = graph.Op("Add", residual, attn);

            residual = x;
            h = e.LayerNorm(x, p + "layer_norm2.weight", p + "layer_norm2.bias", v.LayerNormEps);
            h = e.Linear(h, p + "mlp.fc1.weight", p + "mlp.fc1.bias");
            h = v.HiddenAct == "quick_gelu"
                ? graph.Op("Mul", h, graph.Op("Sigmoid", graph.Op("Mul", h, e.Scalar(1.702))))
                : ExactGelu(e, h);
            h = e.Linear(h, p + "mlp.fc2.weight", p + "mlp.fc2.bias");
            x = graph.Op("Add", residual, h);
        }

        if (config.VisionFeatureSelectStrategy == "default")
        {
            x = graph.Op("Slice", x, graph.ConstantInt64(1), graph.ConstantInt64(long.MaxValue), graph.ConstantInt64(1), graph.ConstantInt64(1));
        }

        // Projector: Linear -> GELU (erf) -> Linear.
        string y = e.Linear(x, names.ProjectorLinear1 + ".weight", names.ProjectorLinear1 + ".bias");
        y = ExactGelu(e, y);
        y = e.Linear(y, names.ProjectorLinear2 + ".weight", names.ProjectorLinear2 + ".bias");
        int hidden = config.Text.HiddenSize;
        y = e.Reshape(y, -1, hidden);

        // One extra row after every tile's features: the learned newline (NeXT) or zeros (1.5, never indexed).
        string extra = config.Architecture == LlavaArchitecture.LlavaNext
            ? e.Weight(names.ImageNewline, [1, hidden])
            : e.AddFloats("image_newline.zero", new float[hidden], [1, hidden]);
        string rows = graph.Node("Concat", [y, extra], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];
        string features = graph.Node("Gather", [rows, index], attributes: new Dictionary<string, object> { ["axis"] = 0L })[0];
        graph.AddOutputAs(features, ImageFeatures, t, "num_image_tokens", (long)hidden);
        graph.Save();
    }

    /// <summary>[tiles] as a 1-D int64 tensor: the first dimension of <paramref name="x"/>.</summary>
    private static string SliceFirst(GraphEmitter e, string x) =>
        e.Graph.Op("Slice", e.Graph.Op("Shape", x), e.Graph.ConstantInt64(0), e.Graph.ConstantInt64(1));

    /// <summary>GELU with the exact erf form (torch.nn.GELU() default), in float32.</summary>
    internal static string ExactGelu(GraphEmitter e, string x)
    {
        OnnxGraphBuilder g = e.Graph;
        string xf = e.ToFloat(x);
        string erf = g.Op("Erf", g.Op("Mul", xf, g.ConstantFloat((float)(1.0 / Math.Sqrt(2.0)))));
        string y = g.Op("Mul", g.Op("Mul", xf, g.ConstantFloat(0.5f)), g.Op("Add", erf, g.ConstantFloat(1f)));
        return e.FromFloat(y);
    }
}
