using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>
/// CLIP's vision transformer as LLaVA uses it (transformers v4.45.1 <c>CLIPVisionModel</c>, eager
/// attention): patch embedding, CLS token, position embeddings, <c>pre_layrnorm</c>, then only as many
/// encoder layers as the selected hidden state needs; <c>post_layernorm</c> is never applied.
/// </summary>
public sealed class ClipVisionReference
{
    private const string Prefix = "vision_tower.vision_model";

    private readonly VisionTowerConfig _config;
    private readonly int _layersToRun;
    private readonly bool _dropClassToken;
    private readonly float[] _patchWeight;
    private readonly float[] _classEmbedding;
    private readonly float[] _positionEmbedding;
    private readonly float[] _preNormWeight;
    private readonly float[] _preNormBias;
    private readonly ClipEncoderLayer[] _layers;

    private ClipVisionReference(ITensorSource source, LlavaCheckpointConfig config)
    {
        _config = config.Vision;
        _layersToRun = config.VisionLayersToRun;
        _dropClassToken = config.VisionFeatureSelectStrategy == "default";
        int hidden = _config.HiddenSize;
        int patch = _config.PatchSize;
        _patchWeight = ReferenceMath.Read(source, $"{Prefix}.embeddings.patch_embedding.weight", hidden, _config.NumChannels, patch, patch);
        _classEmbedding = ReferenceMath.Read(source, $"{Prefix}.embeddings.class_embedding", hidden);
        _positionEmbedding = ReferenceMath.Read(source, $"{Prefix}.embeddings.position_embedding.weight", _config.NumPositions, hidden);
        _preNormWeight = ReferenceMath.Read(source, $"{Prefix}.pre_layrnorm.weight", hidden);
        _preNormBias = ReferenceMath.Read(source, $"{Prefix}.pre_layrnorm.bias", hidden);
        _layers = new ClipEncoderLayer[_layersToRun];
        for (int i = 0; i < _layersToRun; i++)
        {
            _layers[i] = new ClipEncoderLayer(source, $"{Prefix}.encoder.layers.{i}", hidden, _config.IntermediateSize);
        }
    }

    public int HiddenSize => _config.HiddenSize;

    /// <summary>Rows returned per tile: 576, or 577 with the <c>full</c> strategy.</summary>
    public int RowsPerTile => _config.NumPositions - (_dropClassToken ? 1 : 0);

    public static ClipVisionReference Load(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        return new ClipVisionReference(source, config);
    }

    /// <summary>
    /// pixel_values [tiles, 3, S, S] (normalised, CHW) -> the selected hidden state
    /// <c>hidden_states[vision_feature_layer]</c> after the select strategy: [tiles, RowsPerTile, hidden].
    /// </summary>
    public float[] Forward(float[] pixelValues, int tiles)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        int size = _config.ImageSize;
        int tileFloats = _config.NumChannels * size * size;
        if (tiles <= 0 || pixelValues.Length != (long)tiles * tileFloats)
        {
            throw new ArgumentException($"pixel_values has {pixelValues.Length} floats; {tiles} tiles of {_config.NumChannels}x{size}x{size} need {(long)tiles * tileFloats}.", nameof(pixelValues));
        }

        int hidden = _config.HiddenSize;
        int outRows = RowsPerTile;
        float[] result = new float[tiles * outRows * hidden];
        for (int t = 0; t < tiles; t++)
        {
            float[] states = Embed(pixelValues.AsSpan(t * tileFloats, tileFloats));
            foreach (ClipEncoderLayer layer in _layers)
            {
                states = EncoderLayer(layer, states);
            }

            int skip = _dropClassToken ? 1 : 0;
            states.AsSpan(skip * hidden, outRows * hidden).CopyTo(result.AsSpan(t * outRows * hidden));
        }

        return result;
    }

    /// <summary>Embeddings followed by pre_layrnorm: hidden_states[0] in HF's numbering.</summary>
    private float[] Embed(ReadOnlySpan<float> tile)
    {
        int hidden = _config.HiddenSize;
        int patch = _config.PatchSize;
        int size = _config.ImageSize;
        int side = _config.PatchesPerSide;
        int channels = _config.NumChannels;
        int patchFloats = channels * patch * patch;

        // The stride-p convolution is a matmul over patches unrolled in the weight's (c, ky, kx) order.
        float[] patches = new float[side * side * patchFloats];
        for (int py = 0; py < side; py++)
        {
            for (int px = 0; px < side; px++)
            {
                int o = ((py * side) + px) * patchFloats;
                for (int c = 0; c < channels; c++)
                {
                    for (int ky = 0; ky < patch; ky++)
                    {
                        for (int kx = 0; kx < patch; kx++)
                        {
                            patches[o++] = tile[(c * size * size) + (((py * patch) + ky) * size) + (px * patch) + kx];
                        }
                    }
                }
            }
        }

        float[] patchEmbeds = ReferenceMath.Linear(patches, side * side, patchFloats, _patchWeight, hidden, null);
        int positions = _config.NumPositions;
        float[] embeddings = new float[positions * hidden];
        for (int i = 0; i < hidden; i++)
        {
            embeddings[i] = _classEmbedding[i] + _positionEmbedding[i];
        }

        for (int p = 1; p < positions; p++)
        {
            for (int i = 0; i < hidden; i++)
            {
                embeddings[(p * hidden) + i] = patchEmbeds[((p - 1) * hidden) + i] + _positionEmbedding[(p * hidden) + i];
            }
        }

        return ReferenceMath.LayerNorm(embeddings, positions, hidden, _preNormWeight, _preNormBias, _config.LayerNormEps);
    }

    private float[] EncoderLayer(ClipEncoderLayer layer, float[] x)
    {
        int rows = _config.NumPositions;
        int hidden = _config.HiddenSize;
        int heads = _config.NumAttentionHeads;
        int headDim = hidden / heads;
        double eps = _config.LayerNormEps;

        float[] h = ReferenceMath.LayerNorm(x, rows, hidden, layer.LayerNorm1Weight, layer.LayerNorm1Bias, eps);
        float[] q = ReferenceMath.Linear(h, rows, hidden, layer.QWeight, hidden, layer.QBias);
        float[] k = ReferenceMath.Linear(h, rows, hidden, layer.KWeight, hidden, layer.KBias);
        float[] v = ReferenceMath.Linear(h, rows, hidden, layer.VWeight, hidden, layer.VBias);

        // CLIPAttention scales the projected queries (in float) before the product, not the scores.
        float scale = (float)Math.Pow(headDim, -0.5);
        for (int i = 0; i < q.Length; i++)
        {
            q[i] *= scale;
        }

        float[] context = ReferenceMath.Attention(q, rows, k, v, rows, heads, heads, headDim, 1.0, causalOffset: -1);
        float[] attn = ReferenceMath.Linear(context, rows, hidden, layer.OutWeight, hidden, layer.OutBias);
        float[] residual = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            residual[i] = x[i] + attn[i];
        }

        h = ReferenceMath.LayerNorm(residual, rows, hidden, layer.LayerNorm2Weight, layer.LayerNorm2Bias, eps);
        float[] up = ReferenceMath.Linear(h, rows, hidden, layer.Fc1Weight, _config.IntermediateSize, layer.Fc1Bias);
        bool quick = _config.HiddenAct == "quick_gelu";
        for (int i = 0; i < up.Length; i++)
        {
            up[i] = quick ? ReferenceMath.QuickGelu(up[i]) : ReferenceMath.Gelu(up[i]);
        }

        float[] down = ReferenceMath.Linear(up, rows, _config.IntermediateSize, layer.Fc2Weight, hidden, layer.Fc2Bias);
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] += down[i];
        }

        return residual;
    }
}
