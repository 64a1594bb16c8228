using System.Security.Cryptography;
using System.Text.Json;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Tests.Checkpoints;
using Llava.TinyCheckpoints;

namespace Llava.ModelBuilder.Tests.Tiny;

[Collection(TinyCheckpointGroup.Name)]
public sealed class TinyCheckpointGeneratorTests(TinyCheckpointSet tiny)
{
    public static TheoryData<string> Families => [.. TinyFamily.All.Select(f => f.Name)];

    [Fact]
    public void Same_family_and_seed_give_byte_identical_files()
    {
        using CheckpointTempDirectory temp = new();
        string again = temp.Folder("again");

        IReadOnlyList<string> files = TinyCheckpointGenerator.Write(TinyFamily.Llava15, again);

        Assert.Equal(Hashes(tiny.Folder(TinyFamily.Llava15.Name)), Hashes(again));
        Assert.Equal(Directory.GetFiles(again).Select(Path.GetFileName).Order(), files.Order());
    }

    [Fact]
    public void Different_families_differ_in_weights_config_and_tokenizer()
    {
        string[] weights = [.. TinyFamily.All.Select(f => Hashes(tiny.Folder(f.Name))["model.safetensors"])];
        string[] configs = [.. TinyFamily.All.Select(f => Hashes(tiny.Folder(f.Name))["config.json"])];

        Assert.Equal(4, weights.Distinct().Count());
        Assert.Equal(4, configs.Distinct().Count());
        Assert.NotEqual(Hashes(tiny.Folder(TinyFamily.Llava15.Name))["tokenizer.json"], Hashes(tiny.Folder(TinyFamily.Next34B.Name))["tokenizer.json"]);
    }

    [Fact]
    public void Another_seed_changes_the_weights_and_nothing_else()
    {
        using CheckpointTempDirectory temp = new();
        string reseeded = temp.Folder("seed");

        TinyCheckpointGenerator.Write(TinyFamily.Llava15, reseeded, new TinyCheckpointOptions { Seed = 1 });
        Dictionary<string, string> original = Hashes(tiny.Folder(TinyFamily.Llava15.Name));
        Dictionary<string, string> changed = Hashes(reseeded);

        Assert.Equal(original.Keys.Order(), changed.Keys.Order());
        Assert.Equal([SafetensorsCheckpoint.SingleFileName], original.Keys.Where(k => original[k] != changed[k]));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_parses_as_its_llava_hf_model_and_validates(string name)
    {
        TinyFamily family = TinyFamily.FromName(name);
        string folder = tiny.Folder(name);

        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(folder, "config.json"));
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(folder);
        LlavaTensorNames names = LlavaTensorNames.Resolve(checkpoint, config);
        names.Validate(checkpoint, config);

        Assert.Equal(LlavaTensorLayout.LlavaHf, names.Layout);
        Assert.Equal(family.Architecture, config.Architecture);
        Assert.Equal(family.TextModelType, config.Text.ModelType);
        Assert.Equal(family.ImageTokenId, config.ImageTokenIndex);
        Assert.Equal(family.VocabSize, config.Text.VocabSize);
        Assert.Equal(64, config.Text.HiddenSize);
        Assert.Equal(2, config.Text.NumHiddenLayers);
        Assert.Equal(family.GroupedQueryAttention ? 2 : 4, config.Text.NumKeyValueHeads);
        Assert.Equal(family.RopeTheta ?? 10000.0, config.Text.RopeTheta);
        Assert.Equal(1e-5, config.Text.RmsNormEps);
        Assert.Equal(family.MaxPositionEmbeddings, config.Text.MaxPositionEmbeddings);
        Assert.Equal([family.EosTokenId], config.Text.EosTokenIds);
        Assert.Equal(32, config.Vision.HiddenSize);
        Assert.Equal(577, config.Vision.NumPositions);
        Assert.Equal(2, config.VisionLayersToRun);
        Assert.Equal(576, config.FeaturesPerTile);
        Assert.Equal(family.Architecture == LlavaArchitecture.LlavaNext ? 5 : 0, config.ImageGridPinpoints.Count);
        Assert.Equal("F32", checkpoint.GetInfo(names.EmbedTokens).DType);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_has_the_llava_hf_file_set_with_its_processor_and_template(string name)
    {
        TinyFamily family = TinyFamily.FromName(name);
        string folder = tiny.Folder(name);
        bool next = family.Architecture == LlavaArchitecture.LlavaNext;

        using JsonDocument preprocessor = Read(folder, "preprocessor_config.json");
        using JsonDocument processor = Read(folder, "processor_config.json");
        using JsonDocument template = Read(folder, "chat_template.json");
        using JsonDocument generation = Read(folder, "generation_config.json");
        using JsonDocument config = Read(folder, "config.json");

        Assert.Equal(next ? "LlavaNextImageProcessor" : "CLIPImageProcessor", preprocessor.RootElement.GetProperty("image_processor_type").GetString());
        Assert.Equal(336, preprocessor.RootElement.GetProperty("size").GetProperty("shortest_edge").GetInt32());
        Assert.Equal(3, preprocessor.RootElement.GetProperty("resample").GetInt32());
        Assert.Equal(next, preprocessor.RootElement.TryGetProperty("image_grid_pinpoints", out _));
        Assert.Equal(0.48145466, preprocessor.RootElement.GetProperty("image_mean")[0].GetDouble());
        Assert.Equal(14, processor.RootElement.GetProperty("patch_size").GetInt32());
        Assert.Equal("<image>", processor.RootElement.GetProperty("image_token").GetString());
        Assert.Equal(family.ChatTemplate, template.RootElement.GetProperty("chat_template").GetString());
        Assert.Equal(family.EosTokenId, generation.RootElement.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(next ? "llava_next" : "llava", config.RootElement.GetProperty("model_type").GetString());
        // Diff style, as the published files: llama's defaults (hidden_act, rope_theta 1e4) are not written.
        Assert.False(config.RootElement.GetProperty("text_config").TryGetProperty("hidden_act", out _));
        Assert.Equal(family.RopeTheta is not null, config.RootElement.GetProperty("text_config").TryGetProperty("rope_theta", out _));
    }

    [Fact]
    public void Half_precision_and_sharded_options_store_the_same_draws()
    {
        using CheckpointTempDirectory temp = new();
        string f16 = temp.Folder("f16");
        string bf16 = temp.Folder("bf16");
        TinyCheckpointGenerator.Write(TinyFamily.NextMistral, f16, new TinyCheckpointOptions { DType = SafetensorsDType.F16 });
        IReadOnlyList<string> files = TinyCheckpointGenerator.Write(TinyFamily.NextMistral, bf16, new TinyCheckpointOptions { DType = SafetensorsDType.BF16, Shards = 3 });

        using SafetensorsCheckpoint reference = SafetensorsCheckpoint.Open(tiny.Folder(TinyFamily.NextMistral.Name));
        using SafetensorsCheckpoint half = SafetensorsCheckpoint.Open(f16);
        using SafetensorsCheckpoint sharded = SafetensorsCheckpoint.Open(bf16);

        Assert.Contains("model-00003-of-00003.safetensors", files);
        Assert.Contains(SafetensorsCheckpoint.IndexFileName, files);
        Assert.Equal(3, sharded.Files.Count);
        Assert.Equal(reference.Tensors.Keys.Order(), sharded.Tensors.Keys.Order());
        Assert.Equal(reference.TotalBytes / 2, half.TotalBytes);
        Assert.Equal("bfloat16", ReadConfigDType(bf16));
        foreach (string name in (string[])["language_model.model.layers.1.self_attn.k_proj.weight", "image_newline", "language_model.lm_head.weight"])
        {
            float[] exact = reference.ReadFloat32(name);
            float[] fromHalf = half.ReadFloat32(name);
            float[] fromBf16 = sharded.ReadFloat32(name);
            for (int i = 0; i < exact.Length; i++)
            {
                Assert.Equal((float)(Half)exact[i], fromHalf[i]);
                Assert.True(Math.Abs(fromBf16[i] - exact[i]) <= Math.Abs(exact[i]) / 256, $"{name}[{i}]");
            }
        }
    }

    [Fact]
    public void Weights_follow_the_fan_in_recipe_with_sharpened_queries_and_keys()
    {
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(tiny.Folder(TinyFamily.Llava15.Name));

        (double qMean, double qStd) = Stats(checkpoint.ReadFloat32("language_model.model.layers.0.self_attn.q_proj.weight"));
        (_, double vStd) = Stats(checkpoint.ReadFloat32("language_model.model.layers.0.self_attn.v_proj.weight"));
        (_, double patchStd) = Stats(checkpoint.ReadFloat32("vision_tower.vision_model.embeddings.patch_embedding.weight"));
        (double normMean, double normStd) = Stats(checkpoint.ReadFloat32("language_model.model.norm.weight"));
        (double embedMean, double embedStd) = Stats(checkpoint.ReadFloat32("language_model.model.embed_tokens.weight"));

        Assert.InRange(qMean, -0.02, 0.02);
        Assert.InRange(qStd, 0.24, 0.26);               // 2 / sqrt(64)
        Assert.InRange(vStd, 0.12, 0.13);               // 1 / sqrt(64)
        Assert.InRange(patchStd, 0.0395, 0.043);        // 1 / sqrt(3 * 14 * 14)
        Assert.InRange(normMean, 0.95, 1.05);
        Assert.InRange(normStd, 0.06, 0.14);
        Assert.InRange(embedMean, -0.01, 0.01);
        Assert.InRange(embedStd, 0.99, 1.01);
    }

    [Fact]
    public void Stale_weight_files_of_a_previous_run_are_removed()
    {
        using CheckpointTempDirectory temp = new();
        string folder = temp.Folder("reuse");
        TinyCheckpointGenerator.Write(TinyFamily.NextVicuna, folder, new TinyCheckpointOptions { Shards = 2 });

        TinyCheckpointGenerator.Write(TinyFamily.NextVicuna, folder);

        Assert.Equal([SafetensorsCheckpoint.SingleFileName], Directory.GetFiles(folder, "model*").Select(Path.GetFileName));
    }

    [Fact]
    public void Mid_size_keeps_real_proportions()
    {
        TinyModelSize mid = TinyModelSize.MidSize;

        Assert.Equal(64, mid.TextHiddenSize / mid.TextHeads);
        Assert.Equal(4, mid.TextHeads / mid.TextGroupedKeyValueHeads);
        Assert.Equal(64, mid.VisionHiddenSize / mid.VisionHeads);
        Assert.Equal(4 * mid.VisionHiddenSize, mid.VisionIntermediateSize);
    }

    private static Dictionary<string, string> Hashes(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static JsonDocument Read(string folder, string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, file)));

    private static string? ReadConfigDType(string folder)
    {
        using JsonDocument config = Read(folder, "config.json");
        return config.RootElement.GetProperty("torch_dtype").GetString();
    }

    private static (double Mean, double Std) Stats(float[] values)
    {
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(variance));
    }
}
