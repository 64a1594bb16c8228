using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;
using Llava.TinyCheckpoints;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>The converter's contract: a complete, checksummed folder, or a clear error and nothing written.</summary>
public sealed class ConverterTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("llava-convert-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("llava-1.5", ModelVariant.Llava15, PromptTemplateName.VicunaV1)]
    [InlineData("llava-v1.6-mistral", ModelVariant.NextMistral, PromptTemplateName.MistralInstruct)]
    [InlineData("llava-v1.6-vicuna", ModelVariant.NextVicuna, PromptTemplateName.VicunaV1)]
    [InlineData("llava-v1.6-34b", ModelVariant.Next34B, PromptTemplateName.ChatMlDirect)]
    public async Task Manifest_names_the_variant_template_and_checksums_of_every_file(string family, string variant, string template)
    {
        string output = Path.Combine(_work, "model");

        ModelManifest manifest = await LlavaModelConverter.ConvertAsync(TinyModels.Checkpoint(family), output);

        Assert.Equal(variant, manifest.Variant);
        Assert.Equal(template, manifest.PromptTemplate);
        Assert.Equal(TinyFamily.FromName(family).ImageTokenId, manifest.ImageTokenId);
        ModelManifest onDisk = ModelManifest.FromJson(File.ReadAllText(Path.Combine(output, ModelManifest.FileName)));
        string[] files = [.. Directory.EnumerateFiles(output).Select(Path.GetFileName).Where(f => f != ModelManifest.FileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(files, onDisk.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        foreach (ManifestFile file in onDisk.Files)
        {
            string path = Path.Combine(output, file.Path);
            Assert.Equal(new FileInfo(path).Length, file.Bytes);
            Assert.Equal(await FileSha256.ComputeAsync(path, CancellationToken.None), file.Sha256);
        }

        Assert.Contains(ModelFolderLayout.Vision, files);
        Assert.Contains(ModelFolderLayout.Decoder + ".data", files);
        Assert.Contains("tokenizer.json", files);
        Assert.Equal(manifest.Vision.GridPinpoints.Count > 0, family != "llava-1.5");
    }

    [Fact]
    public async Task Sharded_and_half_precision_checkpoints_convert_to_the_same_graphs_as_one_fp32_file()
    {
        string sharded = Path.Combine(_work, "sharded");
        TinyCheckpointGenerator.Write(TinyFamily.NextMistral, sharded, new TinyCheckpointOptions { Shards = 3 });
        string single = TinyModels.Checkpoint("llava-v1.6-mistral");

        await LlavaModelConverter.ConvertAsync(single, Path.Combine(_work, "a"));
        await LlavaModelConverter.ConvertAsync(sharded, Path.Combine(_work, "b"));

        foreach (string file in new[] { "vision.onnx.data", "embedding.onnx.data", "decoder.onnx.data" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_work, "a", file)), File.ReadAllBytes(Path.Combine(_work, "b", file)));
        }
    }

    [Fact]
    public async Task A_missing_shard_is_named_and_nothing_is_written()
    {
        string checkpoint = Path.Combine(_work, "ckpt");
        TinyCheckpointGenerator.Write(TinyFamily.Llava15, checkpoint, new TinyCheckpointOptions { Shards = 3 });
        string shard = Directory.EnumerateFiles(checkpoint, "model-00002-of-00003.safetensors").Single();
        File.Delete(shard);

        CheckpointException error = await Assert.ThrowsAsync<CheckpointException>(() => Convert(checkpoint));

        Assert.Contains("model-00002-of-00003.safetensors", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_truncated_safetensors_file_is_refused_and_nothing_is_written()
    {
        string checkpoint = CopyOf("llava-v1.6-vicuna");
        string weights = Path.Combine(checkpoint, "model.safetensors");
        using (FileStream stream = new(weights, FileMode.Open))
        {
            stream.SetLength(stream.Length - 4096);
        }

        CheckpointException error = await Assert.ThrowsAsync<CheckpointException>(() => Convert(checkpoint));

        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task An_unknown_architecture_is_refused_by_name()
    {
        string checkpoint = CopyOf("llava-1.5");
        EditConfig(checkpoint, config =>
        {
            config["architectures"] = new JsonArray("Qwen2VLForConditionalGeneration");
            config["model_type"] = "qwen2_vl";
        });

        CheckpointException error = await Assert.ThrowsAsync<CheckpointException>(() => Convert(checkpoint));

        Assert.Contains("Qwen2VLForConditionalGeneration", error.Message, StringComparison.Ordinal);
        Assert.Contains("LlavaNextForConditionalGeneration", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Tensors_whose_shapes_disagree_with_the_config_are_listed_with_expected_and_actual_shapes()
    {
        string checkpoint = CopyOf("llava-v1.6-mistral");
        EditConfig(checkpoint, config => config["text_config"]!["intermediate_size"] = 96);

        CheckpointException error = await Assert.ThrowsAsync<CheckpointException>(() => Convert(checkpoint));

        Assert.Contains("mlp.gate_proj.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("96", error.Message, StringComparison.Ordinal);
        Assert.Contains("128", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task A_checkpoint_without_a_tokenizer_is_refused()
    {
        string checkpoint = CopyOf("llava-1.5");
        File.Delete(Path.Combine(checkpoint, "tokenizer.json"));

        CheckpointException error = await Assert.ThrowsAsync<CheckpointException>(() => Convert(checkpoint));

        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task An_existing_output_folder_is_kept_unless_overwriting_is_asked_for()
    {
        string output = Path.Combine(_work, "model");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "keep.txt"), "mine");
        string checkpoint = TinyModels.Checkpoint("llava-1.5");

        await Assert.ThrowsAsync<IOException>(() => LlavaModelConverter.ConvertAsync(checkpoint, output));
        Assert.True(File.Exists(Path.Combine(output, "keep.txt")));

        await LlavaModelConverter.ConvertAsync(checkpoint, output, new ConversionOptions { Overwrite = true });
        Assert.False(File.Exists(Path.Combine(output, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(output, ModelManifest.FileName)));
    }

    [Fact]
    public async Task Cancelling_a_conversion_leaves_nothing_behind()
    {
        using CancellationTokenSource cancel = new();
        SynchronousProgress cancelOnFirstTensor = new(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => LlavaModelConverter.ConvertAsync(TinyModels.Checkpoint("llava-1.5"), Path.Combine(_work, "model"), null, cancelOnFirstTensor, cancel.Token));

        AssertNothingWritten();
    }

    private Task<ModelManifest> Convert(string checkpoint) =>
        LlavaModelConverter.ConvertAsync(checkpoint, Path.Combine(_work, "model"));

    /// <summary>No output folder and no staging folder survive a failed conversion.</summary>
    private void AssertNothingWritten()
    {
        Assert.False(Directory.Exists(Path.Combine(_work, "model")));
        Assert.Empty(Directory.EnumerateDirectories(_work, ".model.partial-*"));
    }

    private string CopyOf(string family)
    {
        string target = Path.Combine(_work, "ckpt");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(TinyModels.Checkpoint(family)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private static void EditConfig(string checkpoint, Action<JsonObject> edit)
    {
        string path = Path.Combine(checkpoint, "config.json");
        JsonObject config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    /// <summary>Cancels as soon as the first progress report arrives, on the reporting thread.</summary>
    private sealed class SynchronousProgress(CancellationTokenSource cancel) : IProgress<Graphs.ConversionProgress>
    {
        public void Report(Graphs.ConversionProgress value) => cancel.Cancel();
    }
}
