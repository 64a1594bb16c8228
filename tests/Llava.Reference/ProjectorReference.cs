using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>
/// <c>LlavaMultiModalProjector</c> (mlp2x_gelu): linear_1 -> exact erf GELU -> linear_2, both with bias.
/// </summary>
public sealed class ProjectorReference
{
    private readonly int _inFeatures;
    private readonly int _outFeatures;
    private readonly float[] _w1;
    private readonly float[] _b1;
    private readonly float[] _w2;
    private readonly float[] _b2;

    private ProjectorReference(ITensorSource source, int visionHidden, int textHidden)
    {
        _inFeatures = visionHidden;
        _outFeatures = textHidden;
        _w1 = ReferenceMath.Read(source, "multi_modal_projector.linear_1.weight", textHidden, visionHidden);
        _b1 = ReferenceMath.Read(source, "multi_modal_projector.linear_1.bias", textHidden);
        _w2 = ReferenceMath.Read(source, "multi_modal_projector.linear_2.weight", textHidden, textHidden);
        _b2 = ReferenceMath.Read(source, "multi_modal_projector.linear_2.bias", textHidden);
    }

    public int OutFeatures => _outFeatures;

    public static ProjectorReference Load(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        return new ProjectorReference(source, config.Vision.HiddenSize, config.Text.HiddenSize);
    }

    /// <summary>[rows, vision_hidden] -> [rows, text_hidden].</summary>
    public float[] Forward(float[] features, int rows)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length != (long)rows * _inFeatures)
        {
            throw new ArgumentException($"Projector input has {features.Length} floats, expected {rows}x{_inFeatures}.", nameof(features));
        }

        float[] h = ReferenceMath.Linear(features, rows, _inFeatures, _w1, _outFeatures, _b1);
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = ReferenceMath.Gelu(h[i]);
        }

        return ReferenceMath.Linear(h, rows, _outFeatures, _w2, _outFeatures, _b2);
    }
}
