using System.Globalization;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Graphs;

/// <summary>
/// Writes <c>decoder.onnx</c>: the Llama/Mistral/Yi language model from <c>inputs_embeds</c> to logits, with
/// the KV-cache contract ONNX Runtime GenAI expects (past_key_values.N.key/value in, present.N.key/value out,
/// [batch, kv_heads, sequence, head_size]).
/// </summary>
/// <remarks>
/// The product graph is <see cref="GroupQueryDecoderGraph"/> (fused attention, shared KV buffer). With
/// <see cref="DecoderAttention.PlainOperators"/> this class writes the reference graph instead: standard ONNX
/// operators only, checked against HF line by line (RMSNorm in float32, rotary embeddings with HF's rotate-half
/// layout and the checkpoint's rope_theta, grouped-query attention by repeating K/V heads, a causal mask built
/// from the cache length and GenAI's attention_mask, the SiLU-gated MLP), KV concatenated every step
/// (<c>past_present_share_buffer</c> false).
/// </remarks>
public static class DecoderGraphBuilder
{
    public const string InputsEmbeds = "inputs_embeds";
    public const string AttentionMask = "attention_mask";
    public const string PositionIds = "position_ids";
    public const string Logits = "logits";
    public const string PastKeyFormat = "past_key_values.%d.key";
    public const string PastValueFormat = "past_key_values.%d.value";
    public const string PresentKeyFormat = "present.%d.key";
    public const string PresentValueFormat = "present.%d.value";

    public static string Name(string format, int layer) => format.Replace("%d", layer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public static void Build(string onnxPath, ITensorSource source, LlavaCheckpointConfig config, LlavaTensorNames names, GraphOptions options, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        TextModelConfig c = config.Text;
        int layers = c.NumHiddenLayers;
        using OnnxGraphBuilder graph = new("llava_decoder", onnxPath);
        GraphEmitter e = new(graph, source, options, "decoder", (layers * 9) + 2, progress, cancellationToken);
        if (options.Attention == DecoderAttention.GroupQuery)
        {
            GroupQueryDecoderGraph.Build(graph, e, config, names, options);
            graph.Save();
            return;
        }

        OnnxDataType t = e.ComputeType;
        int heads = c.NumAttentionHeads;
        int kvHeads = c.NumKeyValueHeads;
        int headDim = c.HeadDim;
        int repeats = heads / kvHeads;

        string x = graph.AddInput(InputsEmbeds, t, "batch_size", "sequence_length", (long)c.HiddenSize);
        string attentionMask = graph.AddInput(AttentionMask, OnnxDataType.Int64, "batch_size", "total_sequence_length");
        string positionIds = graph.AddInput(PositionIds, OnnxDataType.Int64, "batch_size", "sequence_length");
        string[] pastKeys = new string[layers];
        string[] pastValues = new string[layers];
        for (int i = 0; i < layers; i++)
        {
            pastKeys[i] = graph.AddInput(Name(PastKeyFormat, i), t, "batch_size", (long)kvHeads, "past_sequence_length", (long)headDim);
            pastValues[i] = graph.AddInput(Name(PastValueFormat, i), t, "batch_size", (long)kvHeads, "past_sequence_length", (long)headDim);
        }

        (string cos, string sin) = Rotary(e, positionIds, headDim, c.RopeTheta);
        string allowed = CausalMask(e, x, attentionMask, pastKeys[0]);
        string masked = graph.ConstantFloat(float.MinValue);

        for (int i = 0; i < layers; i++)
        {
            string p = names.TextLayer(i);
            string residual = x;
            string h = e.RmsNorm(x, p + "input_layernorm.weight", c.RmsNormEps);
            string q = e.Linear(h, p + "self_attn.q_proj.weight", quantizable: true);
            string k = e.Linear(h, p + "self_attn.k_proj.weight", quantizable: true);
            string v = e.Linear(h, p + "self_attn.v_proj.weight", quantizable: true);
            q = ApplyRotary(e, e.Transpose(e.Reshape(q, 0, 0, heads, headDim), 0, 2, 1, 3), cos, sin, headDim);
            k = ApplyRotary(e, e.Transpose(e.Reshape(k, 0, 0, kvHeads, headDim), 0, 2, 1, 3), cos, sin, headDim);
            v = e.Transpose(e.Reshape(v, 0, 0, kvHeads, headDim), 0, 2, 1, 3);

            string presentKey = graph.Node("Concat", [pastKeys[i], k], attributes: new Dictionary<string, object> { ["axis"] = 2L })[0];
            string presentValue = graph.Node("Concat", [pastValues[i], v], attributes: new Dictionary<string, object> { ["axis"] = 2L })[0];
            graph.AddOutputAs(presentKey, Name(PresentKeyFormat, i), t, "batch_size", (long)kvHeads, "total_sequence_length", (long)headDim);
            graph.AddOutputAs(presentValue, Name(PresentValueFormat, i), t, "batch_size", (long)kvHeads, "total_sequence_length", (long)headDim);

            string keys = RepeatKv(e, presentKey, repeats, heads, headDim);
            string values = RepeatKv(e, presentValue, repeats, heads, headDim);
            // Scores and softmax in float32, as HF's eager attention upcasts before softmax.
            string scores = graph.Op("MatMul", q, e.Transpose(keys, 0, 1, 3, 2));
            scores = graph.Op("Div", e.ToFloat(scores), graph.ConstantFloat((float)Math.Sqrt(headDim)));
            scores = graph.Op("Where", allowed, scores, masked);
            string probs = e.FromFloat(e.Softmax(scores));
            string attn = e.Reshape(e.Transpose(graph.Op("MatMul", probs, values), 0, 2, 1, 3), 0, 0, heads * headDim);
            x = graph.Op("Add", residual, e.Linear(attn, p + "self_attn.o_proj.weight", quantizable: true));

            residual = x;
            h = e.RmsNorm(x, p + "post_attention_layernorm.weight", c.RmsNormEps);
            string gate = e.Linear(h, p + "mlp.gate_proj.weight", quantizable: true);
            string up = e.Linear(h, p + "mlp.up_proj.weight", quantizable: true);
            string act = graph.Op("Mul", graph.Op("Mul", gate, graph.Op("Sigmoid", gate)), up);
            x = graph.Op("Add", residual, e.Linear(act, p + "mlp.down_proj.weight", quantizable: true));
        }

        x = e.RmsNorm(x, names.FinalNorm, c.RmsNormEps);
        if (!options.AllPositionLogits)
        {
            // GenAI reads only the last row; computing the rest would cost prompt_length x vocab floats.
            x = graph.Op("Slice", x, graph.ConstantInt64(-1), graph.ConstantInt64(long.MaxValue), graph.ConstantInt64(1), graph.ConstantInt64(1));
        }

        string logits = e.ToFloat(e.Linear(x, names.LmHead, quantizable: false));
        graph.AddOutputAs(logits, Logits, OnnxDataType.Float, "batch_size", options.AllPositionLogits ? "sequence_length" : 1L, (long)c.VocabSize);
        graph.Save();
    }

    /// <summary>cos and sin tables [batch, 1, seq, head_dim] for the given positions (HF: emb = cat(freqs, freqs)).</summary>
    private static (string Cos, string Sin) Rotary(GraphEmitter e, string positionIds, int headDim, double theta)
    {
        OnnxGraphBuilder g = e.Graph;
        int half = headDim / 2;
        float[] inverse = new float[half];
        for (int j = 0; j < half; j++)
        {
            // As HF: 1 / theta^(arange(0, d, 2).float() / d), computed in float32.
            float exponent = (float)(2 * j) / headDim;
            inverse[j] = 1f / (float)Math.Pow(theta, exponent);
        }

        string positions = g.Op("Unsqueeze", e.Cast(positionIds, OnnxDataType.Float), g.ConstantInt64(-1));
        string freqs = g.Op("Mul", positions, g.AddInitializer("rotary.inv_freq", inverse, half));
        string emb = g.Node("Concat", [freqs, freqs], attributes: new Dictionary<string, object> { ["axis"] = -1L })[0];
        emb = g.Op("Unsqueeze", emb, g.ConstantInt64(1));
        return (e.FromFloat(g.Op("Cos", emb)), e.FromFloat(g.Op("Sin", emb)));
    }

    /// <summary>x * cos + rotate_half(x) * sin, with rotate_half(x) = cat(-x2, x1).</summary>
    private static string ApplyRotary(GraphEmitter e, string x, string cos, string sin, int headDim)
    {
        OnnxGraphBuilder g = e.Graph;
        string[] halves = g.Node("Split", [x, g.ConstantInt64(headDim / 2, headDim / 2)], outputs: 2, attributes: new Dictionary<string, object> { ["axis"] = -1L });
        string rotated = g.Node("Concat", [g.Op("Neg", halves[1]), halves[0]], attributes: new Dictionary<string, object> { ["axis"] = -1L })[0];
        return g.Op("Add", g.Op("Mul", x, cos), g.Op("Mul", rotated, sin));
    }

    /// <summary>[batch, kv_heads, T, d] -> [batch, heads, T, d] by repeating each KV head (HF repeat_kv).</summary>
    private static string RepeatKv(GraphEmitter e, string kv, int repeats, int heads, int headDim)
    {
        if (repeats == 1)
        {
            return kv;
        }

        OnnxGraphBuilder g = e.Graph;
        string expanded = g.Op("Expand", g.Op("Unsqueeze", kv, g.ConstantInt64(2)), g.ConstantInt64(1, 1, repeats, 1, 1));
        return e.Reshape(expanded, 0, heads, -1, headDim);
    }

    /// <summary>
    /// Boolean [batch, 1, seq, total]: query i (absolute position past + i) may see key j when j &lt;= past + i
    /// and attention_mask[j] is 1.
    /// </summary>
    private static string CausalMask(GraphEmitter e, string x, string attentionMask, string pastKey)
    {
        OnnxGraphBuilder g = e.Graph;
        string seq = e.Dim(x, 1);
        string past = e.Dim(pastKey, 2);
        string total = g.Op("Add", past, seq);
        string one = e.ScalarInt64(1);
        string keyPositions = g.Op("Range", e.ScalarInt64(0), total, one);
        string queryPositions = g.Op("Range", past, total, one);
        string causal = g.Op("LessOrEqual", g.Op("Unsqueeze", keyPositions, g.ConstantInt64(0)), g.Op("Unsqueeze", queryPositions, g.ConstantInt64(1)));
        string padding = g.Op("Unsqueeze", e.Cast(attentionMask, OnnxDataType.Bool), g.ConstantInt64(1, 2));
        return g.Op("And", g.Op("Unsqueeze", causal, g.ConstantInt64(0, 1)), padding);
    }
}
