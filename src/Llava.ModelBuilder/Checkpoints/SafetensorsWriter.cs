using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// Writes safetensors files tensor by tensor. The header (with every offset) has to precede the data, so the
/// specs are taken up front and the data is asked for afterwards, one tensor at a time, through a callback:
/// nothing but the tensor being produced needs to be in memory. Files are written under a temporary name and
/// renamed when complete, so a failed run never leaves a file that looks finished.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes one file with the tensors in the order given.</summary>
    public static void Write(
        string path,
        IReadOnlyList<TensorSpec> tensors,
        Action<TensorSpec, TensorDataSink> writeTensor,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(writeTensor);
        CheckSpecs(tensors);

        string temporary = path + ".partial";
        try
        {
            using (FileStream stream = new(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                byte[] header = BuildHeader(tensors, metadata);
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (TensorSpec spec in tensors)
                {
                    TensorDataSink sink = new(stream, spec);
                    writeTensor(spec, sink);
                    if (sink.Remaining != 0)
                    {
                        throw new InvalidOperationException($"Tensor '{spec.Name}' takes {spec.ElementCount} elements; only {sink.Written} were written.");
                    }
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes <c>model-0000k-of-0000n.safetensors</c> shards (tensors kept in order, split into contiguous groups of
    /// about equal bytes) and <c>model.safetensors.index.json</c>. Returns the file names written, index last.
    /// </summary>
    public static IReadOnlyList<string> WriteSharded(
        string directory,
        IReadOnlyList<TensorSpec> tensors,
        int shardCount,
        Action<TensorSpec, TensorDataSink> writeTensor,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        if (shardCount > tensors.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(shardCount), $"{shardCount} shards cannot be made from {tensors.Count} tensors.");
        }

        CheckSpecs(tensors);
        Directory.CreateDirectory(directory);
        int[] starts = SplitPoints(tensors, shardCount);
        List<string> written = [];
        SortedDictionary<string, string> weightMap = new(StringComparer.Ordinal);
        for (int shard = 0; shard < shardCount; shard++)
        {
            int end = shard + 1 < shardCount ? starts[shard + 1] : tensors.Count;
            TensorSpec[] group = [.. tensors.Skip(starts[shard]).Take(end - starts[shard])];
            string fileName = string.Create(CultureInfo.InvariantCulture, $"model-{shard + 1:D5}-of-{shardCount:D5}.safetensors");
            Write(Path.Combine(directory, fileName), group, writeTensor, metadata);
            written.Add(fileName);
            foreach (TensorSpec spec in group)
            {
                weightMap[spec.Name] = fileName;
            }
        }

        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", tensors.Sum(t => t.ByteLength));
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach ((string name, string file) in weightMap)
            {
                json.WriteString(name, file);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.WriteAllBytes(Path.Combine(directory, SafetensorsCheckpoint.IndexFileName), [.. buffer.WrittenSpan, (byte)'\n']);
        written.Add(SafetensorsCheckpoint.IndexFileName);
        return written;
    }

    /// <summary>First tensor index of each shard: cut where the running byte total passes k/n of the whole, at least one tensor each.</summary>
    private static int[] SplitPoints(IReadOnlyList<TensorSpec> tensors, int shardCount)
    {
        long total = tensors.Sum(t => t.ByteLength);
        int[] starts = new int[shardCount];
        long running = 0;
        int shard = 1;
        for (int i = 0; i < tensors.Count && shard < shardCount; i++)
        {
            running += tensors[i].ByteLength;
            if (running * shardCount >= total * shard)
            {
                starts[shard++] = i + 1;
            }
        }

        for (int k = 1; k < shardCount; k++)
        {
            int earliest = starts[k - 1] + 1;
            int latest = tensors.Count - (shardCount - k);
            starts[k] = Math.Clamp(k < shard ? starts[k] : latest, earliest, latest);
        }

        return starts;
    }

    private static void CheckSpecs(IReadOnlyList<TensorSpec> tensors)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        foreach (TensorSpec spec in tensors)
        {
            if (string.IsNullOrEmpty(spec.Name) || spec.Name == "__metadata__")
            {
                throw new ArgumentException($"'{spec.Name}' is not a valid tensor name.", nameof(tensors));
            }

            if (!names.Add(spec.Name))
            {
                throw new ArgumentException($"Tensor '{spec.Name}' is listed twice.", nameof(tensors));
            }

            if (spec.Shape.Any(d => d < 0))
            {
                throw new ArgumentException($"Tensor '{spec.Name}' has a negative dimension.", nameof(tensors));
            }
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter json = new(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach ((string key, string value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (TensorSpec spec in tensors)
            {
                json.WriteStartObject(spec.Name);
                json.WriteString("dtype", SafetensorsDTypes.Name(spec.DType));
                json.WriteStartArray("shape");
                foreach (long dim in spec.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + spec.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += spec.ByteLength;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the safetensors crate does.
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}
