using System.Text.Json;

namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// The weights of a Hugging Face checkpoint folder: <c>model.safetensors</c>, or the shards a
/// <c>model.safetensors.index.json</c> lists. Every shard is opened and its header validated up front, and every
/// tensor the index names must be in the shard it names, so a partial download fails before any conversion work.
/// </summary>
public sealed class SafetensorsCheckpoint : ITensorSource, IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, (TensorInfo Info, SafetensorsFile File)> _tensors;
    private readonly Dictionary<string, TensorInfo> _infos;

    private SafetensorsCheckpoint(string directory, List<SafetensorsFile> files, Dictionary<string, (TensorInfo, SafetensorsFile)> tensors)
    {
        Directory = directory;
        _files = files;
        _tensors = tensors;
        _infos = tensors.ToDictionary(t => t.Key, t => t.Value.Item1, StringComparer.Ordinal);
        TotalBytes = _infos.Values.Sum(t => t.ByteLength);
    }

    public string Directory { get; }

    /// <summary>The safetensors files in use, in index order (one for an unsharded checkpoint).</summary>
    public IReadOnlyList<string> Files => _files.Select(f => f.Path).ToArray();

    public IReadOnlyDictionary<string, TensorInfo> Tensors => _infos;

    /// <summary>Sum of the tensors' stored byte lengths.</summary>
    public long TotalBytes { get; }

    public static SafetensorsCheckpoint Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new CheckpointException($"Checkpoint folder not found: {directory}");
        }

        string single = Path.Combine(directory, SingleFileName);
        string index = Path.Combine(directory, IndexFileName);
        List<SafetensorsFile> files = [];
        try
        {
            Dictionary<string, (TensorInfo, SafetensorsFile)> tensors = new(StringComparer.Ordinal);
            if (File.Exists(single))
            {
                SafetensorsFile file = SafetensorsFile.Open(single);
                files.Add(file);
                foreach (TensorInfo info in file.Tensors.Values)
                {
                    tensors[info.Name] = (info, file);
                }
            }
            else if (File.Exists(index))
            {
                OpenShards(directory, index, files, tensors);
            }
            else
            {
                throw new CheckpointException($"{directory}: no {SingleFileName} and no {IndexFileName}; is this a safetensors checkpoint folder?");
            }

            return new SafetensorsCheckpoint(directory, files, tensors);
        }
        catch
        {
            foreach (SafetensorsFile file in files)
            {
                file.Dispose();
            }

            throw;
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorInfo GetInfo(string name) => Lookup(name).Info;

    public long[] GetShape(string name) => [.. Lookup(name).Info.Shape];

    public float[] ReadFloat32(string name)
    {
        (TensorInfo info, SafetensorsFile file) = Lookup(name);
        float[] values = new float[checked((int)info.ElementCount)];
        file.ReadElements(info, 0, values);
        return values;
    }

    public void ReadFloat32(string name, Span<float> destination)
    {
        (TensorInfo info, SafetensorsFile file) = Lookup(name);
        if (destination.Length != info.ElementCount)
        {
            throw new ArgumentException($"{name} has {info.ElementCount} elements; the destination holds {destination.Length}.", nameof(destination));
        }

        file.ReadElements(info, 0, destination);
    }

    /// <summary>Reads a row range (first dimension) as float32: for streaming embeddings too big for one array.</summary>
    public float[] ReadRows(string name, long firstRow, int rowCount)
    {
        (TensorInfo info, SafetensorsFile file) = Lookup(name);
        float[] values = new float[checked((int)(rowCount * info.RowLength))];
        file.ReadRows(info, firstRow, rowCount, values);
        return values;
    }

    public void ReadRows(string name, long firstRow, int rowCount, Span<float> destination)
    {
        (TensorInfo info, SafetensorsFile file) = Lookup(name);
        file.ReadRows(info, firstRow, rowCount, destination);
    }

    public void Dispose()
    {
        foreach (SafetensorsFile file in _files)
        {
            file.Dispose();
        }
    }

    private (TensorInfo Info, SafetensorsFile File) Lookup(string name) =>
        _tensors.TryGetValue(name, out (TensorInfo, SafetensorsFile) entry)
            ? entry
            : throw new CheckpointException($"{Directory}: the checkpoint has no tensor named '{name}'.");

    private static void OpenShards(string directory, string indexPath, List<SafetensorsFile> files, Dictionary<string, (TensorInfo, SafetensorsFile)> tensors)
    {
        Dictionary<string, string> weightMap = ReadWeightMap(indexPath);
        string root = Path.GetFullPath(directory);
        Dictionary<string, SafetensorsFile> shards = new(StringComparer.Ordinal);
        foreach (string shardName in weightMap.Values.Distinct(StringComparer.Ordinal))
        {
            string shardPath = Path.GetFullPath(Path.Combine(directory, shardName));
            if (!shardPath.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new CheckpointException($"{indexPath}: shard '{shardName}' is outside the checkpoint folder.");
            }

            if (!File.Exists(shardPath))
            {
                int count = weightMap.Values.Count(v => v == shardName);
                throw new CheckpointException($"{indexPath}: shard '{shardName}' ({count} tensors) is missing from {directory} (incomplete download?).");
            }

            SafetensorsFile file = SafetensorsFile.Open(shardPath);
            files.Add(file);
            shards[shardName] = file;
        }

        foreach ((string name, string shardName) in weightMap)
        {
            SafetensorsFile file = shards[shardName];
            if (!file.Tensors.TryGetValue(name, out TensorInfo? info))
            {
                string? actual = shards.FirstOrDefault(s => s.Value.Tensors.ContainsKey(name)).Key;
                throw new CheckpointException(
                    $"{indexPath}: tensor '{name}' is listed in shard '{shardName}' but that shard does not contain it" +
                    (actual is null ? "." : $" (it is in '{actual}')."));
            }

            tensors[name] = (info, file);
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out JsonElement map)
                || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{indexPath}: no \"weight_map\" object.");
            }

            Dictionary<string, string> weightMap = new(StringComparer.Ordinal);
            foreach (JsonProperty entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(entry.Value.GetString()))
                {
                    throw new CheckpointException($"{indexPath}: weight_map entry for '{entry.Name}' is not a file name.");
                }

                weightMap[entry.Name] = entry.Value.GetString()!;
            }

            return weightMap.Count > 0 ? weightMap : throw new CheckpointException($"{indexPath}: weight_map is empty.");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{indexPath}: not valid JSON ({ex.Message}).", ex);
        }
    }
}
