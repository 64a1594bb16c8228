using Llava.ModelFormat;

namespace Llava.Inference.Preprocessing;

/// <summary>
/// transformers' rescale then normalize, to the bit: <c>float32(float64(u) * rescale_factor)</c>, then
/// <c>(x - mean) / std</c> in float32. Inputs are bytes, so each channel is a 256-entry table.
/// </summary>
internal sealed class PixelNormalizer
{
    private readonly float[][] _tables;
    private readonly Half[][] _halfTables;

    public PixelNormalizer(VisionPreprocessing settings)
    {
        if (settings.ImageMean.Count != 3 || settings.ImageStd.Count != 3)
        {
            throw new ArgumentException($"image_mean and image_std need 3 values each; got {settings.ImageMean.Count} and {settings.ImageStd.Count}.", nameof(settings));
        }

        _tables = new float[3][];
        _halfTables = new Half[3][];
        for (int c = 0; c < 3; c++)
        {
            float mean = settings.ImageMean[c];
            float std = settings.ImageStd[c];
            if (!(std > 0f) || !float.IsFinite(mean))
            {
                throw new ArgumentException($"Channel {c}: mean {mean} and std {std} are not usable.", nameof(settings));
            }

            _tables[c] = new float[256];
            _halfTables[c] = new Half[256];
            for (int u = 0; u < 256; u++)
            {
                float rescaled = (float)(u * settings.RescaleFactor);
                float value = (rescaled - mean) / std;
                _tables[c][u] = value;
                // Round to nearest even, as torch's .half() does on the float32 values.
                _halfTables[c][u] = (Half)value;
            }
        }
    }

    /// <summary>Writes one square tile as three planes (CHW).</summary>
    public void Write(RgbBuffer tile, Span<float> destination)
    {
        int plane = tile.Width * tile.Height;
        ReadOnlySpan<byte> data = tile.Data;
        Span<float> r = destination[..plane];
        Span<float> g = destination.Slice(plane, plane);
        Span<float> b = destination.Slice(2 * plane, plane);
        float[] tr = _tables[0];
        float[] tg = _tables[1];
        float[] tb = _tables[2];
        for (int i = 0; i < plane; i++)
        {
            r[i] = tr[data[3 * i]];
            g[i] = tg[data[(3 * i) + 1]];
            b[i] = tb[data[(3 * i) + 2]];
        }
    }

    public void Write(RgbBuffer tile, Span<Half> destination)
    {
        int plane = tile.Width * tile.Height;
        ReadOnlySpan<byte> data = tile.Data;
        Span<Half> r = destination[..plane];
        Span<Half> g = destination.Slice(plane, plane);
        Span<Half> b = destination.Slice(2 * plane, plane);
        Half[] tr = _halfTables[0];
        Half[] tg = _halfTables[1];
        Half[] tb = _halfTables[2];
        for (int i = 0; i < plane; i++)
        {
            r[i] = tr[data[3 * i]];
            g[i] = tg[data[(3 * i) + 1]];
            b[i] = tb[data[(3 * i) + 2]];
        }
    }
}
