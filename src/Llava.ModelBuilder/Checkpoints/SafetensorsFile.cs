using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// One <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header, then raw tensor bytes.
/// The header is validated when the file is opened (offsets in range, non-overlapping, sized as dtype x shape)
/// so that a truncated or corrupt download fails up front with its file and tensor named. Tensors are read on
/// demand with positional reads into pooled buffers; the file is never buffered whole.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>The safetensors crate refuses headers above 100 MB; a larger length means a corrupt file.</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private const int ChunkBytes = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, TensorInfo> _tensors;

    private SafetensorsFile(string path, SafeFileHandle handle, long length, long dataStart, Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        Length = length;
        DataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>File length in bytes when it was opened.</summary>
    public long Length { get; }

    /// <summary>Absolute position of the data section (8 + header length).</summary>
    public long DataStart { get; }

    public IReadOnlyDictionary<string, TensorInfo> Tensors => _tensors;

    /// <summary>The header's <c>__metadata__</c> (string to string); empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path}: safetensors file not found.");
        }

        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            long length = RandomAccess.GetLength(handle);
            (Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata, long dataStart) = ReadHeader(path, handle, length);
            return new SafetensorsFile(path, handle, length, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public TensorInfo GetInfo(string name) =>
        _tensors.TryGetValue(name, out TensorInfo? info)
            ? info
            : throw new CheckpointException($"{Path}: no tensor named '{name}'.");

    /// <summary>Reads the whole tensor as float32.</summary>
    public float[] ReadFloat32(string name)
    {
        TensorInfo info = GetInfo(name);
        float[] values = new float[checked((int)info.ElementCount)];
        ReadElements(info, 0, values);
        return values;
    }

    /// <summary>Reads the whole tensor as float32 into <paramref name="destination"/> (exactly its element count).</summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        TensorInfo info = GetInfo(name);
        if (destination.Length != info.ElementCount)
        {
            throw new ArgumentException($"{name} has {info.ElementCount} elements; the destination holds {destination.Length}.", nameof(destination));
        }

        ReadElements(info, 0, destination);
    }

    /// <summary>Reads rows [<paramref name="firstRow"/>, +<paramref name="rowCount"/>) of a tensor (rows = first dimension) as float32.</summary>
    public float[] ReadRows(string name, long firstRow, int rowCount)
    {
        TensorInfo info = GetInfo(name);
        float[] values = new float[checked((int)(rowCount * info.RowLength))];
        ReadRows(info, firstRow, rowCount, values);
        return values;
    }

    /// <summary>Reads rows [<paramref name="firstRow"/>, +<paramref name="rowCount"/>) into <paramref name="destination"/>.</summary>
    public void ReadRows(string name, long firstRow, int rowCount, Span<float> destination) =>
        ReadRows(GetInfo(name), firstRow, rowCount, destination);

    public void Dispose() => _handle.Dispose();

    internal void ReadRows(TensorInfo info, long firstRow, int rowCount, Span<float> destination)
    {
        if (info.Shape.Count == 0)
        {
            throw new CheckpointException($"{Path}: tensor '{info.Name}' is a scalar and has no rows.");
        }

        long rows = info.Shape[0];
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"Rows {firstRow}..{firstRow + rowCount} are outside the {rows} rows of '{info.Name}'.");
        }

        long count = rowCount * info.RowLength;
        if (destination.Length != count)
        {
            throw new ArgumentException($"{rowCount} rows of '{info.Name}' are {count} elements; the destination holds {destination.Length}.", nameof(destination));
        }

        ReadElements(info, firstRow * info.RowLength, destination);
    }

    internal void ReadElements(TensorInfo info, long firstElement, Span<float> destination)
    {
        int size = SafetensorsDTypes.ElementSize(info.DType);
        long position = info.DataOffset + (firstElement * size);
        switch (info.DType)
        {
            case "F32" when BitConverter.IsLittleEndian:
                // Stored layout is the in-memory layout: read straight into the caller's floats.
                ReadExactly(info, MemoryMarshal.AsBytes(destination), position);
                break;
            case "F32":
            case "F16":
            case "BF16":
                ReadConverted(info, size, position, destination);
                break;
            default:
                throw new CheckpointException($"{Path}: tensor '{info.Name}' has dtype {info.DType}, which cannot be read as float32 (expected F32, F16 or BF16).");
        }
    }

    private void ReadConverted(TensorInfo info, int size, long position, Span<float> destination)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / size;
            for (int done = 0; done < destination.Length; done += perChunk)
            {
                int n = Math.Min(perChunk, destination.Length - done);
                Span<byte> bytes = buffer.AsSpan(0, n * size);
                ReadExactly(info, bytes, position + ((long)done * size));
                Span<float> target = destination.Slice(done, n);
                switch (info.DType)
                {
                    case "F32":
                        for (int i = 0; i < n; i++)
                        {
                            target[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                        }

                        break;
                    case "F16":
                        for (int i = 0; i < n; i++)
                        {
                            target[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                        }

                        break;
                    default:
                        // bf16 is the upper 16 bits of a float32: widening is exact.
                        for (int i = 0; i < n; i++)
                        {
                            target[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) << 16);
                        }

                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadExactly(TensorInfo info, Span<byte> buffer, long position)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, buffer, position);
            if (read <= 0)
            {
                throw new CheckpointException($"{Path}: unexpected end of file at byte {position} while reading tensor '{info.Name}' (the file shrank after it was opened?).");
            }

            buffer = buffer[read..];
            position += read;
        }
    }

    private static (Dictionary<string, TensorInfo> Tensors, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string path, SafeFileHandle handle, long length)
    {
        if (length < 8)
        {
            throw new CheckpointException($"{path}: truncated: {length} bytes, shorter than the 8-byte header length.");
        }

        Span<byte> prefix = stackalloc byte[8];
        _ = RandomAccess.Read(handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointException($"{path}: corrupt header: declared header length {headerLength} bytes is implausible (not a safetensors file?).");
        }

        if ((long)headerLength > length - 8)
        {
            throw new CheckpointException($"{path}: truncated: header of {headerLength} bytes declared, but only {length - 8} bytes follow the length prefix.");
        }

        byte[] header = new byte[headerLength];
        int got = 0;
        while (got < header.Length)
        {
            int read = RandomAccess.Read(handle, header.AsSpan(got), 8 + got);
            if (read <= 0)
            {
                throw new CheckpointException($"{path}: truncated while reading the header.");
            }

            got += read;
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = length - dataStart;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{path}: corrupt header: not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{path}: corrupt header: expected a JSON object, found {document.RootElement.ValueKind}.");
            }

            Dictionary<string, TensorInfo> tensors = new(StringComparer.Ordinal);
            Dictionary<string, string> metadata = new(StringComparer.Ordinal);
            List<(long Begin, long End, string Name)> ranges = [];
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty entry in property.Value.EnumerateObject())
                        {
                            metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                        }
                    }

                    continue;
                }

                (TensorInfo info, long begin, long end) = ParseEntry(path, property, dataStart, dataLength);
                if (!tensors.TryAdd(info.Name, info))
                {
                    throw new CheckpointException($"{path}: corrupt header: tensor '{info.Name}' is listed twice.");
                }

                ranges.Add((begin, end, info.Name));
            }

            ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            for (int i = 1; i < ranges.Count; i++)
            {
                if (ranges[i].Begin < ranges[i - 1].End)
                {
                    throw new CheckpointException(
                        $"{path}: corrupt header: tensor '{ranges[i].Name}' (bytes {ranges[i].Begin}..{ranges[i].End}) overlaps '{ranges[i - 1].Name}' (bytes {ranges[i - 1].Begin}..{ranges[i - 1].End}).");
                }
            }

            return (tensors, metadata, dataStart);
        }
    }

    private static (TensorInfo Info, long Begin, long End) ParseEntry(string path, JsonProperty property, long dataStart, long dataLength)
    {
        string name = property.Name;
        JsonElement entry = property.Value;
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointException($"{path}: corrupt header: tensor '{name}' needs dtype, shape and data_offsets [begin, end].");
        }

        string dtype = dtypeElement.GetString()!;
        int size = SafetensorsDTypes.ElementSize(dtype);
        if (size == 0)
        {
            throw new CheckpointException($"{path}: tensor '{name}' has unknown dtype '{dtype}'.");
        }

        List<long> shape = [];
        long elements = 1;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
            {
                throw new CheckpointException($"{path}: corrupt header: tensor '{name}' has a shape entry that is not a non-negative integer ({dim.GetRawText()}).");
            }

            shape.Add(d);
            elements = d == 0 || elements <= long.MaxValue / d ? elements * d : throw new CheckpointException($"{path}: corrupt header: tensor '{name}' has an impossibly large shape.");
        }

        long begin = Offset(path, name, offsetsElement[0]);
        long end = Offset(path, name, offsetsElement[1]);
        if (end < begin)
        {
            throw new CheckpointException($"{path}: corrupt header: tensor '{name}' has data_offsets [{begin}, {end}] with end before begin.");
        }

        if (elements > long.MaxValue / size || end - begin != elements * size)
        {
            throw new CheckpointException(
                $"{path}: corrupt header: tensor '{name}' is {dtype}[{string.Join(", ", shape)}] = {elements} x {size} bytes, but data_offsets [{begin}, {end}] span {end - begin} bytes.");
        }

        if (end > dataLength)
        {
            throw new CheckpointException(
                $"{path}: truncated or corrupt: tensor '{name}' ends at data byte {end}, but the file has only {dataLength} data bytes after its header.");
        }

        return (new TensorInfo(name, dtype, shape, path, dataStart + begin, end - begin), begin, end);
    }

    private static long Offset(string path, string name, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long offset) && offset >= 0
            ? offset
            : throw new CheckpointException($"{path}: corrupt header: tensor '{name}' has a data offset that is not a non-negative integer ({value.GetRawText()}).");
}
