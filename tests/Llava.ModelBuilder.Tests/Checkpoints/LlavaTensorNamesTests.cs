using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

public sealed class LlavaTensorNamesTests : IClassFixture<TinyMistralCheckpoint>
{
    private readonly TinyMistralCheckpoint _tiny;

    public LlavaTensorNamesTests(TinyMistralCheckpoint tiny)
    {
        _tiny = tiny;
    }

    [Fact]
    public void Llava_hf_layout_is_detected_and_validates()
    {
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(_tiny.Directory);

        LlavaTensorNames names = LlavaTensorNames.Resolve(checkpoint, _tiny.Config);
        names.Validate(checkpoint, _tiny.Config);

        Assert.Equal(LlavaTensorLayout.LlavaHf, names.Layout);
        Assert.Equal("language_model.model.embed_tokens.weight", names.EmbedTokens);
        Assert.Equal("language_model.lm_head.weight", names.LmHead);
        Assert.Equal("language_model.model.layers.1.", names.TextLayer(1));
        Assert.Equal("vision_tower.vision_model.encoder.layers.0.", names.VisionLayer(0));
        Assert.Equal("multi_modal_projector.linear_1", names.ProjectorLinear1);
        Assert.Equal("image_newline", names.ImageNewline);
        Assert.True(checkpoint.Contains(names.VisionPreLayerNorm + ".bias"));
    }

    [Fact]
    public void Transformers_layout_is_detected_and_validates()
    {
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(_tiny.Directory);
        ShapeOnlyTensorSource renamed = ShapeOnlyTensorSource.From(checkpoint, ToTransformersName);

        LlavaTensorNames names = LlavaTensorNames.Resolve(renamed, _tiny.Config);
        names.Validate(renamed, _tiny.Config);

        Assert.Equal(LlavaTensorLayout.Transformers, names.Layout);
        Assert.Equal("model.language_model.embed_tokens.weight", names.EmbedTokens);
        Assert.Equal("lm_head.weight", names.LmHead);
        Assert.Equal("model.language_model.layers.0.", names.TextLayer(0));
        Assert.Equal("model.vision_tower.vision_model.embeddings.patch_embedding.weight", names.VisionPatchEmbedding);
        Assert.Equal("model.multi_modal_projector.linear_2", names.ProjectorLinear2);
        Assert.Equal("model.image_newline", names.ImageNewline);
    }

    [Fact]
    public void Missing_tensors_are_all_listed_by_name()
    {
        ShapeOnlyTensorSource source = _tiny.Shapes();
        source.Shapes.Remove("language_model.model.layers.1.self_attn.k_proj.weight");
        source.Shapes.Remove("vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias");
        source.Shapes.Remove("image_newline");
        LlavaTensorNames names = LlavaTensorNames.Resolve(source, _tiny.Config);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => names.Validate(source, _tiny.Config));

        Assert.Contains("3 tensor(s) missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("language_model.model.layers.1.self_attn.k_proj.weight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias", ex.Message, StringComparison.Ordinal);
        Assert.Contains("image_newline", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mis_shaped_tensor_is_named_with_expected_and_actual_shapes()
    {
        ShapeOnlyTensorSource source = _tiny.Shapes();
        // GQA: k_proj is [kv_heads * head_dim, hidden] = [32, 64]; an MHA-shaped one must be caught.
        source.Shapes["language_model.model.layers.0.self_attn.k_proj.weight"] = [64, 64];
        LlavaTensorNames names = LlavaTensorNames.Resolve(source, _tiny.Config);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => names.Validate(source, _tiny.Config));

        Assert.Contains("language_model.model.layers.0.self_attn.k_proj.weight: expected [32, 64], found [64, 64]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tensor_in_a_real_checkpoint_file_fails_validation()
    {
        using CheckpointTempDirectory temp = new();
        string copy = temp.Folder("copy");
        File.Copy(Path.Combine(_tiny.Directory, "config.json"), Path.Combine(copy, "config.json"));
        using (SafetensorsCheckpoint source = SafetensorsCheckpoint.Open(_tiny.Directory))
        {
            TensorSpec[] kept = [.. source.Tensors.Values
                .Where(t => t.Name != "multi_modal_projector.linear_2.bias")
                .Select(t => new TensorSpec(t.Name, SafetensorsDType.F16, t.Shape))];
            SafetensorsWriter.Write(Path.Combine(copy, "model.safetensors"), kept, (spec, sink) => sink.Write(source.ReadFloat32(spec.Name)));
        }

        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(copy);
        LlavaTensorNames names = LlavaTensorNames.Resolve(checkpoint, _tiny.Config);

        CheckpointException ex = Assert.Throws<CheckpointException>(() => names.Validate(checkpoint, _tiny.Config));

        Assert.Contains("multi_modal_projector.linear_2.bias", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vision_layers_after_the_feature_layer_and_post_layernorm_are_not_required()
    {
        ShapeOnlyTensorSource source = _tiny.Shapes();
        foreach (string name in source.Shapes.Keys.Where(k => k.Contains("encoder.layers.2.", StringComparison.Ordinal) || k.Contains("post_layernorm", StringComparison.Ordinal)).ToList())
        {
            source.Shapes.Remove(name);
        }

        LlavaTensorNames.Resolve(source, _tiny.Config).Validate(source, _tiny.Config);
    }

    [Fact]
    public void Tied_embeddings_use_embed_tokens_when_lm_head_is_absent_and_untied_ones_require_it()
    {
        ShapeOnlyTensorSource source = _tiny.Shapes();
        source.Shapes.Remove("language_model.lm_head.weight");
        LlavaCheckpointConfig tied = _tiny.Config with { Text = _tiny.Config.Text with { TieWordEmbeddings = true } };

        LlavaTensorNames tiedNames = LlavaTensorNames.Resolve(source, tied);
        tiedNames.Validate(source, tied);
        LlavaTensorNames untiedNames = LlavaTensorNames.Resolve(source, _tiny.Config);
        CheckpointException ex = Assert.Throws<CheckpointException>(() => untiedNames.Validate(source, _tiny.Config));

        Assert.True(tiedNames.LmHeadTied);
        Assert.Equal(tiedNames.EmbedTokens, tiedNames.LmHead);
        Assert.Contains("language_model.lm_head.weight", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Llava_1_5_does_not_require_image_newline()
    {
        ShapeOnlyTensorSource source = _tiny.Shapes();
        source.Shapes.Remove("image_newline");
        JsonObject json = JsonNode.Parse(File.ReadAllText(Path.Combine(_tiny.Directory, "config.json")))!.AsObject();
        json["model_type"] = "llava";
        json["architectures"] = new JsonArray("LlavaForConditionalGeneration");
        LlavaCheckpointConfig config = LlavaCheckpointConfig.Parse(json);

        LlavaTensorNames.Resolve(source, config).Validate(source, config);
    }

    [Fact]
    public void A_source_without_any_llava_tensor_is_refused()
    {
        ShapeOnlyTensorSource source = new(new Dictionary<string, long[]> { ["model.layers.0.self_attn.q_proj.weight"] = [4, 4] });

        CheckpointException ex = Assert.Throws<CheckpointException>(() => LlavaTensorNames.Resolve(source, _tiny.Config));

        Assert.Contains("language_model.model.embed_tokens.weight", ex.Message, StringComparison.Ordinal);
    }

    private static string ToTransformersName(string name) => name switch
    {
        "language_model.lm_head.weight" => "lm_head.weight",
        "image_newline" => "model.image_newline",
        _ when name.StartsWith("language_model.model.", StringComparison.Ordinal) => "model.language_model." + name["language_model.model.".Length..],
        _ => "model." + name,
    };
}
