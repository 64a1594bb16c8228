using System.Buffers.Binary;
using System.Text.Json;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

public sealed class SafetensorsRoundTripTests
{
    private static readonly TensorSpec[] s_shapes =
    [
        new("a.weight", SafetensorsDType.F32, [3, 4]),
        new("b.bias", SafetensorsDType.F32, [5]),
        new("c.conv", SafetensorsDType.F32, [2, 3, 2, 2]),
        new("d.scalar", SafetensorsDType.F32, []),
    ];

    [Theory]
    [InlineData(SafetensorsDType.F32, "F32", 4)]
    [InlineData(SafetensorsDType.F16, "F16", 2)]
    [InlineData(SafetensorsDType.BF16, "BF16", 2)]
    public void Writer_output_reads_back_with_the_same_names_shapes_and_values(SafetensorsDType dtype, string dtypeName, int size)
    {
        using CheckpointTempDirectory temp = new();
        TensorSpec[] specs = [.. s_shapes.Select(s => s with { DType = dtype })];
        string path = temp.File("model.safetensors");
        SafetensorsTestFiles.WriteRamps(path, specs, new Dictionary<string, string> { ["format"] = "pt" });

        using SafetensorsFile file = SafetensorsFile.Open(path);

        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(0, file.DataStart % 8);
        Assert.Equal(specs.Select(s => s.Name).Order(), file.Tensors.Keys.Order());
        long expectedOffset = file.DataStart;
        foreach (TensorSpec spec in specs)
        {
            TensorInfo info = file.Tensors[spec.Name];
            Assert.Equal(dtypeName, info.DType);
            Assert.Equal(spec.Shape, info.Shape);
            Assert.Equal(expectedOffset, info.DataOffset);
            Assert.Equal(spec.ElementCount * size, info.ByteLength);
            Assert.Equal(SafetensorsTestFiles.Ramp(spec.ElementCount, SafetensorsTestFiles.IndexOf(specs, spec)), file.ReadFloat32(spec.Name));
            expectedOffset += info.ByteLength;
        }

        Assert.Equal(expectedOffset, file.Length);
    }

    [Fact]
    public void Half_and_bfloat16_store_the_rounded_values()
    {
        using CheckpointTempDirectory temp = new();
        Random random = new(7);
        float[] values = [.. Enumerable.Range(0, 1000).Select(_ => (float)((random.NextDouble() - 0.5) * 20))];
        TensorSpec[] specs = [new("h", SafetensorsDType.F16, [1000]), new("b", SafetensorsDType.BF16, [1000])];
        SafetensorsWriter.Write(temp.File("x.safetensors"), specs, (_, sink) => sink.Write(values));

        using SafetensorsFile file = SafetensorsFile.Open(temp.File("x.safetensors"));
        float[] half = file.ReadFloat32("h");
        float[] bf16 = file.ReadFloat32("b");

        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal((float)(Half)values[i], half[i]);
            // bf16 keeps 8 significant bits: round to nearest is within half a unit of the last place.
            Assert.True(Math.Abs(bf16[i] - values[i]) <= Math.Abs(values[i]) * (1.0 / 256), $"{values[i]} -> {bf16[i]}");
            Assert.Equal(0, BitConverter.SingleToInt32Bits(bf16[i]) & 0xFFFF);
        }
    }

    [Fact]
    public void Data_can_be_streamed_in_pieces_and_rows_read_back_in_ranges()
    {
        using CheckpointTempDirectory temp = new();
        const int Rows = 1000;
        const int Columns = 70;
        // F16 holds every integer up to 2048 exactly.
        TensorSpec spec = new("embed", SafetensorsDType.F16, [Rows, Columns]);
        SafetensorsWriter.Write(temp.File("e.safetensors"), [spec], (_, sink) =>
        {
            for (int row = 0; row < Rows; row++)
            {
                sink.Write([.. Enumerable.Range(0, Columns).Select(c => (float)(row + c))]);
            }
        });

        using SafetensorsFile file = SafetensorsFile.Open(temp.File("e.safetensors"));
        float[] rows = file.ReadRows("embed", 990, 10);

        Assert.Equal(10 * Columns, rows.Length);
        Assert.Equal(990f, rows[0]);
        Assert.Equal(999f + 69f, rows[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadRows("embed", 995, 10));
    }

    [Fact]
    public void Writer_refuses_a_callback_that_writes_the_wrong_number_of_elements_and_leaves_no_file()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("bad.safetensors");

        Assert.Throws<InvalidOperationException>(() =>
            SafetensorsWriter.Write(path, [new TensorSpec("t", SafetensorsDType.F32, [4])], (_, sink) => sink.Write([1f, 2f])));
        Assert.Throws<InvalidOperationException>(() =>
            SafetensorsWriter.Write(path, [new TensorSpec("t", SafetensorsDType.F32, [1])], (_, sink) => sink.Write([1f, 2f])));

        Assert.Empty(Directory.EnumerateFiles(temp.Path));
    }

    [Fact]
    public void Sharded_writer_splits_in_order_writes_the_index_and_the_checkpoint_reads_every_tensor()
    {
        using CheckpointTempDirectory temp = new();
        TensorSpec[] specs = [.. Enumerable.Range(0, 10).Select(i => new TensorSpec($"t{i:D2}", i % 2 == 0 ? SafetensorsDType.F16 : SafetensorsDType.F32, [i + 1, 8]))];

        IReadOnlyList<string> files = SafetensorsWriter.WriteSharded(temp.Path, specs, 3, (spec, sink) =>
            sink.Write(SafetensorsTestFiles.Ramp(spec.ElementCount, SafetensorsTestFiles.IndexOf(specs, spec))));

        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"], files);
        using JsonDocument index = JsonDocument.Parse(File.ReadAllText(temp.File("model.safetensors.index.json")));
        Assert.Equal(specs.Sum(s => s.ByteLength), index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(temp.Path);
        Assert.Equal(3, checkpoint.Files.Count);
        Assert.Equal(specs.Sum(s => s.ByteLength), checkpoint.TotalBytes);
        Assert.Equal(10, checkpoint.Tensors.Count);
        foreach (TensorSpec spec in specs)
        {
            Assert.True(checkpoint.Contains(spec.Name));
            Assert.Equal(spec.Shape, checkpoint.GetShape(spec.Name));
            Assert.Equal(SafetensorsTestFiles.Ramp(spec.ElementCount, SafetensorsTestFiles.IndexOf(specs, spec)), checkpoint.ReadFloat32(spec.Name));
        }

        // Contiguous groups in the given order: shard numbers never decrease along the tensor list.
        int[] shardOfTensor = [.. specs.Select(s => int.Parse(Path.GetFileName(checkpoint.GetInfo(s.Name).File).AsSpan(6, 5), provider: null))];
        Assert.Equal(shardOfTensor.Order(), shardOfTensor);
        Assert.Equal([1, 2, 3], shardOfTensor.Distinct());
    }

    [Fact]
    public void Single_file_checkpoint_reads_rows_and_reports_unknown_names()
    {
        using CheckpointTempDirectory temp = new();
        TensorSpec[] specs = [new("w", SafetensorsDType.F32, [6, 2])];
        SafetensorsTestFiles.WriteRamps(temp.File("model.safetensors"), specs);

        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(temp.Path);

        Assert.Equal([2f, 2.5f, 3f, 3.5f], checkpoint.ReadRows("w", 2, 2));
        Assert.False(checkpoint.Contains("v"));
        CheckpointException missing = Assert.Throws<CheckpointException>(() => checkpoint.GetShape("v"));
        Assert.Contains("'v'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_length_prefix_is_little_endian_and_header_is_padded_with_spaces()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("p.safetensors");
        SafetensorsTestFiles.WriteRamps(path, [new TensorSpec("x", SafetensorsDType.F32, [3])]);

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal((long)(8 + headerLength + 12), bytes.Length);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal("F32", header.RootElement.GetProperty("x").GetProperty("dtype").GetString());
    }
}
