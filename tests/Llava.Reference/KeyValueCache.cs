namespace Llava.Reference;

/// <summary>
/// Keys (after rotary embedding) and values of every decoder layer for the positions seen so far, each
/// stored [position, kv_heads * head_dim]: HF's DynamicCache for batch size 1.
/// </summary>
public sealed class KeyValueCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;
    private readonly int[] _lengths;
    private readonly int _width;

    public KeyValueCache(int layers, int kvWidth)
    {
        _keys = new float[layers][];
        _values = new float[layers][];
        _lengths = new int[layers];
        _width = kvWidth;
        Clear();
    }

    /// <summary>Positions cached (in the first layer; every layer holds the same count between steps).</summary>
    public int Length => _lengths[0];

    public void Clear()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = [];
            _values[i] = [];
            _lengths[i] = 0;
        }
    }

    /// <summary>Appends rows of keys and values for one layer.</summary>
    public void Append(int layer, float[] keys, float[] values, int rows)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        int needed = (_lengths[layer] + rows) * _width;
        if (_keys[layer].Length < needed)
        {
            // Doubling keeps greedy decoding linear in the number of steps.
            int capacity = Math.Max(needed, _keys[layer].Length * 2);
            Array.Resize(ref _keys[layer], capacity);
            Array.Resize(ref _values[layer], capacity);
        }

        keys.AsSpan(0, rows * _width).CopyTo(_keys[layer].AsSpan(_lengths[layer] * _width));
        values.AsSpan(0, rows * _width).CopyTo(_values[layer].AsSpan(_lengths[layer] * _width));
        _lengths[layer] += rows;
    }

    /// <summary>The layer's key buffer; rows beyond <see cref="LayerLength"/> are unused capacity.</summary>
    public float[] Keys(int layer) => _keys[layer];

    public float[] Values(int layer) => _values[layer];

    public int LayerLength(int layer) => _lengths[layer];
}
