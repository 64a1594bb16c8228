using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>The weights of one Llama/Mistral decoder layer (no biases, as in every LLaVA text model).</summary>
internal sealed class DecoderLayer
{
    public DecoderLayer(ITensorSource source, string prefix, TextModelConfig config)
    {
        int hidden = config.HiddenSize;
        int qWidth = config.NumAttentionHeads * config.HeadDim;
        int kvWidth = config.NumKeyValueHeads * config.HeadDim;
        InputNorm = ReferenceMath.Read(source, $"{prefix}.input_layernorm.weight", hidden);
        QWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.q_proj.weight", qWidth, hidden);
        KWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.k_proj.weight", kvWidth, hidden);
        VWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.v_proj.weight", kvWidth, hidden);
        OWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.o_proj.weight", hidden, qWidth);
        PostAttentionNorm = ReferenceMath.Read(source, $"{prefix}.post_attention_layernorm.weight", hidden);
        GateWeight = ReferenceMath.Read(source, $"{prefix}.mlp.gate_proj.weight", config.IntermediateSize, hidden);
        UpWeight = ReferenceMath.Read(source, $"{prefix}.mlp.up_proj.weight", config.IntermediateSize, hidden);
        DownWeight = ReferenceMath.Read(source, $"{prefix}.mlp.down_proj.weight", hidden, config.IntermediateSize);
    }

    public float[] InputNorm { get; }

    public float[] QWeight { get; }

    public float[] KWeight { get; }

    public float[] VWeight { get; }

    public float[] OWeight { get; }

    public float[] PostAttentionNorm { get; }

    public float[] GateWeight { get; }

    public float[] UpWeight { get; }

    public float[] DownWeight { get; }
}
