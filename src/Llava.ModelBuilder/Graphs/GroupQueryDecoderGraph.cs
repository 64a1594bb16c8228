using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Onnx;

namespace Llava.ModelBuilder.Graphs;

/// <summary>
/// The product decoder, emitted the way ONNX Runtime GenAI's own builder emits Llama/Mistral: per layer a packed
/// QKV projection, <c>GroupQueryAttention</c> (com.microsoft) with rotary embedding fused in, and
/// <c>SkipSimplifiedLayerNormalization</c> for each residual add + RMSNorm.
/// </summary>
/// <remarks>
/// <para>GroupQueryAttention reads the KV cache as [batch, kv_heads, max_length, head_size] buffers that GenAI
/// allocates once per request and binds as both past and present (<c>past_present_share_buffer</c> true): a step
/// writes its new keys and values in place instead of copying the whole cache, and attention never materialises
/// the sequence x total score matrix. Its two bookkeeping inputs come from GenAI's 2-D attention_mask inside the
/// graph: <c>seqlens_k</c> = sum(mask) - 1 per row, <c>total_sequence_length</c> = mask width. Positions for the
/// rotary embedding follow from them (right padding is skipped), so position_ids is not an input.</para>
/// <para>Only each row's last real position reaches the LM head (index min(sum(mask) - 1, sequence - 1)): the
/// prompt's last token with right padding in a batch, the new token on a decode step.</para>
/// </remarks>
internal static class GroupQueryDecoderGraph
{
    public static void Build(OnnxGraphBuilder graph, GraphEmitter e, LlavaCheckpointConfig config, LlavaTensorNames names, GraphOptions options)
    {
        TextModelConfig c = config.Text;
        OnnxDataType t = e.ComputeType;
        int layers = c.NumHiddenLayers;
        int heads = c.NumAttentionHeads;
        int kvHeads = c.NumKeyValueHeads;
        int headDim = c.HeadDim;
        int hidden = c.HiddenSize;
        graph.SetOpset(OnnxGraphBuilder.MicrosoftDomain, OnnxGraphBuilder.DefaultMicrosoftOpset);

        string x = graph.AddInput(DecoderGraphBuilder.InputsEmbeds, t, "batch_size", "sequence_length", (long)hidden);
        string attentionMask = graph.AddInput(DecoderGraphBuilder.AttentionMask, OnnxDataType.Int64, "batch_size", "total_sequence_length");
        string[] pastKeys = new string[layers];
        string[] pastValues = new string[layers];
        for (int i = 0; i < layers; i++)
        {
            pastKeys[i] = graph.AddInput(DecoderGraphBuilder.Name(DecoderGraphBuilder.PastKeyFormat, i), t, "batch_size", (long)kvHeads, "past_sequence_length", (long)headDim);
            pastValues[i] = graph.AddInput(DecoderGraphBuilder.Name(DecoderGraphBuilder.PastValueFormat, i), t, "batch_size", (long)kvHeads, "past_sequence_length", (long)headDim);
        }

        // GQA's bookkeeping from the 2-D mask: the last real position of each row, and the mask's width.
        string realLength = graph.Node("ReduceSum", [attentionMask, graph.ConstantInt64(1)], attributes: new Dictionary<string, object> { ["keepdims"] = 0L })[0];
        string lastReal = graph.Op("Sub", realLength, e.ScalarInt64(1));
        string seqlensK = e.Cast(lastReal, OnnxDataType.Int32);
        string totalLength = e.Cast(e.Dim(attentionMask, 1), OnnxDataType.Int32);
        (string cos, string sin) = RotaryCaches(e, headDim, c.RopeTheta, c.MaxPositionEmbeddings);

        Dictionary<string, object> attention = new()
        {
            ["num_heads"] = (long)heads,
            ["kv_num_heads"] = (long)kvHeads,
            ["do_rotary"] = 1L,
            ["rotary_interleaved"] = 0L,
            ["scale"] = (float)(1.0 / Math.Sqrt(headDim)),
        };

        // The first norm has no residual to add yet; each later one fuses the previous block's residual add.
        string h = SimplifiedNorm(e, x, names.TextLayer(0) + "input_layernorm.weight", c.RmsNormEps);
        string residual = x;
        string pending = string.Empty;
        for (int i = 0; i < layers; i++)
        {
            string p = names.TextLayer(i);
            if (i > 0)
            {
                (h, residual) = SkipNorm(e, pending, residual, p + "input_layernorm.weight", c.RmsNormEps);
            }

            string qkv = PackedQkv(e, h, p, heads, kvHeads, headDim, hidden);
            string[] attended = graph.Node(
                "GroupQueryAttention",
                [qkv, string.Empty, string.Empty, pastKeys[i], pastValues[i], seqlensK, totalLength, cos, sin],
                outputs: 3,
                attributes: attention,
                domain: OnnxGraphBuilder.MicrosoftDomain,
                name: $"layers.{i}/attn/GroupQueryAttention");
            graph.AddOutputAs(attended[1], DecoderGraphBuilder.Name(DecoderGraphBuilder.PresentKeyFormat, i), t, "batch_size", (long)kvHeads, "present_sequence_length", (long)headDim);
            graph.AddOutputAs(attended[2], DecoderGraphBuilder.Name(DecoderGraphBuilder.PresentValueFormat, i), t, "batch_size", (long)kvHeads, "present_sequence_length", (long)headDim);
            string o = e.Linear(attended[0], p + "self_attn.o_proj.weight", quantizable: true);

            (h, residual) = SkipNorm(e, o, residual, p + "post_attention_layernorm.weight", c.RmsNormEps);
            string gate = e.Linear(h, p + "mlp.gate_proj.weight", quantizable: true);
            string up = e.Linear(h, p + "mlp.up_proj.weight", quantizable: true);
            string act = graph.Op("Mul", graph.Op("Mul", gate, graph.Op("Sigmoid", gate)), up);
            pending = e.Linear(act, p + "mlp.down_proj.weight", quantizable: true);
        }

        (x, _) = SkipNorm(e, pending, residual, names.FinalNorm, c.RmsNormEps);
        if (!options.AllPositionLogits)
        {
            x = LastRealPosition(e, x, lastReal);
        }

        string logits = e.ToFloat(e.Linear(x, names.LmHead, quantizable: options.QuantizeLmHead));
        graph.AddOutputAs(logits, DecoderGraphBuilder.Logits, OnnxDataType.Float, "batch_size", options.AllPositionLogits ? "sequence_length" : 1L, (long)c.VocabSize);
    }

    /// <summary>
    /// cos and sin caches [context, head_dim / 2] for GQA's fused rotary (non-interleaved: HF's rotate-half layout),
    /// computed as HF does in float32: angle = position * (1 / theta^(2j / d)).
    /// </summary>
    private static (string Cos, string Sin) RotaryCaches(GraphEmitter e, int headDim, double theta, int context)
    {
        int half = headDim / 2;
        float[] inverse = new float[half];
        for (int j = 0; j < half; j++)
        {
            float exponent = (float)(2 * j) / headDim;
            inverse[j] = 1f / (float)Math.Pow(theta, exponent);
        }

        float[] cos = new float[(long)context * half];
        float[] sin = new float[cos.Length];
        Parallel.For(0, context, position =>
        {
            for (int j = 0; j < half; j++)
            {
                float angle = position * inverse[j];
                cos[(position * half) + j] = MathF.Cos(angle);
                sin[(position * half) + j] = MathF.Sin(angle);
            }
        });

        return (e.AddFloats("rotary.cos_cache", cos, [context, half]), e.AddFloats("rotary.sin_cache", sin, [context, half]));
    }

    /// <summary>One MatMul (or MatMulNBits) for q, k and v: [batch, seq, (heads + 2 kv_heads) * head_dim], as GQA takes it packed.</summary>
    private static string PackedQkv(GraphEmitter e, string h, string prefix, int heads, int kvHeads, int headDim, int hidden)
    {
        float[] q = e.Read(prefix + "self_attn.q_proj.weight", out long[] qShape);
        float[] k = e.Read(prefix + "self_attn.k_proj.weight", out long[] kShape);
        float[] v = e.Read(prefix + "self_attn.v_proj.weight", out long[] vShape);
        ExpectShape(prefix + "self_attn.q_proj.weight", qShape, heads * headDim, hidden);
        ExpectShape(prefix + "self_attn.k_proj.weight", kShape, kvHeads * headDim, hidden);
        ExpectShape(prefix + "self_attn.v_proj.weight", vShape, kvHeads * headDim, hidden);
        float[] packed = [.. q, .. k, .. v];
        return e.LinearFromWeights(h, prefix + "self_attn.qkv_proj.weight", packed, (heads + (2 * kvHeads)) * headDim, hidden, quantizable: true);
    }

    private static void ExpectShape(string name, long[] shape, int rows, int cols)
    {
        if (shape.Length != 2 || shape[0] != rows || shape[1] != cols)
        {
            throw new CheckpointException($"{name}: expected shape [{rows}, {cols}], found [{string.Join(", ", shape)}].");
        }
    }

    /// <summary>RMSNorm without a residual (ORT's SimplifiedLayerNormalization, float32 inside).</summary>
    private static string SimplifiedNorm(GraphEmitter e, string x, string weightName, double epsilon) =>
        e.Graph.Node(
            "SimplifiedLayerNormalization",
            [x, e.Weight(weightName)],
            attributes: new Dictionary<string, object> { ["axis"] = -1L, ["epsilon"] = (float)epsilon, ["stash_type"] = 1L })[0];

    /// <summary>residual + x, then RMSNorm of the sum: returns (normalised, sum), the sum being the next residual.</summary>
    private static (string Normalised, string Sum) SkipNorm(GraphEmitter e, string x, string residual, string weightName, double epsilon)
    {
        OnnxGraphBuilder g = e.Graph;
        string name = weightName.Replace(".weight", string.Empty, StringComparison.Ordinal) + "/SkipSimplifiedLayerNormalization";
        string[] outputs = g.Node(
            "SkipSimplifiedLayerNormalization",
            [x, residual, e.Weight(weightName)],
            [name + "/output_0", string.Empty, string.Empty, name + "/output_3"],
            new Dictionary<string, object> { ["epsilon"] = (float)epsilon },
            OnnxGraphBuilder.MicrosoftDomain,
            name);
        return (outputs[0], outputs[3]);
    }

    /// <summary>[batch, seq, hidden] -> [batch, 1, hidden] at each row's position min(last_real, seq - 1).</summary>
    private static string LastRealPosition(GraphEmitter e, string x, string lastReal)
    {
        OnnxGraphBuilder g = e.Graph;
        string lastRow = g.Op("Sub", e.Dim(x, 1), e.ScalarInt64(1));
        string index = g.Op("Min", lastReal, lastRow);
        string gathered = g.Node(
            "GatherND",
            [x, g.Op("Unsqueeze", index, g.ConstantInt64(1))],
            attributes: new Dictionary<string, object> { ["batch_dims"] = 1L })[0];
        return g.Op("Unsqueeze", gathered, g.ConstantInt64(1));
    }
}
