using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>The weights of one CLIP encoder layer (<c>CLIPEncoderLayer</c>), read by their llava-hf names.</summary>
internal sealed class ClipEncoderLayer
{
    public ClipEncoderLayer(ITensorSource source, string prefix, int hidden, int intermediate)
    {
        LayerNorm1Weight = ReferenceMath.Read(source, $"{prefix}.layer_norm1.weight", hidden);
        LayerNorm1Bias = ReferenceMath.Read(source, $"{prefix}.layer_norm1.bias", hidden);
        QWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.q_proj.weight", hidden, hidden);
        QBias = ReferenceMath.Read(source, $"{prefix}.self_attn.q_proj.bias", hidden);
        KWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.k_proj.weight", hidden, hidden);
        KBias = ReferenceMath.Read(source, $"{prefix}.self_attn.k_proj.bias", hidden);
        VWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.v_proj.weight", hidden, hidden);
        VBias = ReferenceMath.Read(source, $"{prefix}.self_attn.v_proj.bias", hidden);
        OutWeight = ReferenceMath.Read(source, $"{prefix}.self_attn.out_proj.weight", hidden, hidden);
        OutBias = ReferenceMath.Read(source, $"{prefix}.self_attn.out_proj.bias", hidden);
        LayerNorm2Weight = ReferenceMath.Read(source, $"{prefix}.layer_norm2.weight", hidden);
        LayerNorm2Bias = ReferenceMath.Read(source, $"{prefix}.layer_norm2.bias", hidden);
        Fc1Weight = ReferenceMath.Read(source, $"{prefix}.mlp.fc1.weight", intermediate, hidden);
        Fc1Bias = ReferenceMath.Read(source, $"{prefix}.mlp.fc1.bias", intermediate);
        Fc2Weight = ReferenceMath.Read(source, $"{prefix}.mlp.fc2.weight", hidden, intermediate);
        Fc2Bias = ReferenceMath.Read(source, $"{prefix}.mlp.fc2.bias", hidden);
    }

    public float[] LayerNorm1Weight { get; }

    public float[] LayerNorm1Bias { get; }

    public float[] QWeight { get; }

    public float[] QBias { get; }

    public float[] KWeight { get; }

    public float[] KBias { get; }

    public float[] VWeight { get; }

    public float[] VBias { get; }

    public float[] OutWeight { get; }

    public float[] OutBias { get; }

    public float[] LayerNorm2Weight { get; }

    public float[] LayerNorm2Bias { get; }

    public float[] Fc1Weight { get; }

    public float[] Fc1Bias { get; }

    public float[] Fc2Weight { get; }

    public float[] Fc2Bias { get; }
}
