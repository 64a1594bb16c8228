using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

public sealed class SafetensorsCorruptionTests
{
    [Fact]
    public void Truncated_file_names_the_file_and_the_tensor_that_runs_past_the_end()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("model.safetensors");
        SafetensorsTestFiles.WriteRamps(path, [new TensorSpec("first", SafetensorsDType.F32, [16]), new TensorSpec("second.weight", SafetensorsDType.F32, [16])]);
        using (FileStream stream = new(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 5);
        }

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'second.weight'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void File_shorter_than_the_length_prefix_is_refused(int length)
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("tiny.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("tiny.safetensors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_reported_as_truncation()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("cut.safetensors");
        SafetensorsTestFiles.WriteRaw(path, "{}", 0, declaredHeaderLength: 4096);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("cut.safetensors", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", "'w'")]
    [InlineData("{\"w\": {\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 8]}}", "'Q4'")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", "'w'")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", "span 8 bytes")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", "end before begin")]
    public void Corrupt_header_is_refused_with_the_file_named(string header, string expected)
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("bad.safetensors");
        SafetensorsTestFiles.WriteRaw(path, header, 64);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_past_the_data_section_name_the_tensor()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("range.safetensors");
        SafetensorsTestFiles.WriteRaw(path, "{\"ok\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"far.weight\": {\"dtype\": \"F16\", \"shape\": [4], \"data_offsets\": [100, 108]}}", 16);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("'far.weight'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("16 data bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_tensors_are_refused_naming_both()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("overlap.safetensors");
        SafetensorsTestFiles.WriteRaw(path, "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}", 16);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("overlaps", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_tensors_are_listed_but_not_read_as_float()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("ints.safetensors");
        SafetensorsTestFiles.WriteRaw(path, "{\"position_ids\": {\"dtype\": \"I64\", \"shape\": [1, 2], \"data_offsets\": [0, 16]}}", 16);
        using SafetensorsFile file = SafetensorsFile.Open(path);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => file.ReadFloat32("position_ids"));

        Assert.Contains("'position_ids'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("I64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_shard_is_named()
    {
        using CheckpointTempDirectory temp = new();
        WriteShards(temp.Path);
        File.Delete(temp.File("model-00002-of-00002.safetensors"));

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));

        Assert.Contains("model-00002-of-00002.safetensors", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_listed_in_the_wrong_shard_is_named_with_where_it_really_is()
    {
        using CheckpointTempDirectory temp = new();
        WriteShards(temp.Path);
        string indexPath = temp.File("model.safetensors.index.json");
        JsonObject index = JsonNode.Parse(File.ReadAllText(indexPath))!.AsObject();
        index["weight_map"]!["t3"] = "model-00001-of-00002.safetensors";
        File.WriteAllText(indexPath, index.ToJsonString());

        CheckpointException ex = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));

        Assert.Contains("'t3'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'model-00002-of-00002.safetensors'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_weights_or_with_a_broken_index_is_refused()
    {
        using CheckpointTempDirectory temp = new();

        CheckpointException none = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));
        File.WriteAllText(temp.File("model.safetensors.index.json"), "{\"metadata\": {}}");
        CheckpointException noMap = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));

        Assert.Contains("model.safetensors", none.Message, StringComparison.Ordinal);
        Assert.Contains("weight_map", noMap.Message, StringComparison.Ordinal);
    }

    private static void WriteShards(string directory)
    {
        TensorSpec[] specs = [.. Enumerable.Range(0, 4).Select(i => new TensorSpec($"t{i}", SafetensorsDType.F32, [4]))];
        SafetensorsWriter.WriteSharded(directory, specs, 2, (spec, sink) => sink.Write(SafetensorsTestFiles.Ramp(4)));
    }
}
