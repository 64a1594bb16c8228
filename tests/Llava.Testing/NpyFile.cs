using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Llava.Testing;

/// <summary>
/// A NumPy <c>.npy</c> array (format versions 1-3, C order, little-endian f4/f8/i4/i8/u1/b1), enough to read
/// the reference dumps that Python writes. Values are exposed as float32 or int64.
/// </summary>
public sealed partial class NpyFile
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly byte[] _data;

    private NpyFile(string descr, long[] shape, byte[] data)
    {
        Descr = descr;
        Shape = shape;
        _data = data;
    }

    /// <summary>NumPy's dtype string, e.g. <c>&lt;f4</c>.</summary>
    public string Descr { get; }

    public IReadOnlyList<long> Shape { get; }

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    public static NpyFile Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyFile Read(Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using BinaryReader reader = new(stream, Encoding.Latin1, leaveOpen: true);
        byte[] magic = reader.ReadBytes(6);
        if (!magic.AsSpan().SequenceEqual(s_magic))
        {
            throw new InvalidDataException($"{name} is not a .npy file.");
        }

        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
        string header = (major >= 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(reader.ReadBytes(headerLength));

        string descr = DescrPattern().Match(header) is { Success: true } d
            ? d.Groups[1].Value
            : throw new InvalidDataException($"{name}: no descr in header {header}");
        if (FortranPattern().Match(header) is { Success: true } f && f.Groups[1].Value == "True")
        {
            throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported.");
        }

        Match s = ShapePattern().Match(header);
        if (!s.Success)
        {
            throw new InvalidDataException($"{name}: no shape in header {header}");
        }

        long[] shape = s.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture))
            .ToArray();
        int itemSize = ItemSize(descr, name);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        byte[] data = reader.ReadBytes(checked((int)(count * itemSize)));
        if (data.Length != count * itemSize)
        {
            throw new InvalidDataException($"{name}: truncated, {data.Length} of {count * itemSize} data bytes.");
        }

        return new NpyFile(descr, shape, data);
    }

    /// <summary>The values converted to float32 (exact for f4; f8 and integers are rounded as a cast would).</summary>
    public float[] ToFloat32()
    {
        float[] values = new float[Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan(i * 4)),
                "<f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(_data.AsSpan(i * 8)),
                _ => ToInt64Value(i),
            };
        }

        return values;
    }

    /// <summary>The values as int64; only for integer and boolean arrays.</summary>
    public long[] ToInt64()
    {
        if (Descr is "<f4" or "<f8")
        {
            throw new InvalidOperationException($"A {Descr} array is not an integer array.");
        }

        long[] values = new long[Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ToInt64Value(i);
        }

        return values;
    }

    /// <summary>The values as int32, checked, for token ids and sizes.</summary>
    public int[] ToInt32() => ToInt64().Select(v => checked((int)v)).ToArray();

    private long ToInt64Value(int i) => Descr switch
    {
        "<i8" => BinaryPrimitives.ReadInt64LittleEndian(_data.AsSpan(i * 8)),
        "<i4" => BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(i * 4)),
        "|u1" or "|b1" => _data[i],
        _ => throw new InvalidOperationException($"Unsupported dtype {Descr}."),
    };

    private static int ItemSize(string descr, string name) => descr switch
    {
        "<f4" or "<i4" => 4,
        "<f8" or "<i8" => 8,
        "|u1" or "|b1" => 1,
        _ => throw new InvalidDataException($"{name}: dtype {descr} is not supported (f4, f8, i4, i8, u1, b1 little-endian)."),
    };

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
