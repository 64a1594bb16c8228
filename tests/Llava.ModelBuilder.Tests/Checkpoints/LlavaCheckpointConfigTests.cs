using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

public sealed class LlavaCheckpointConfigTests
{
    [Fact]
    public void Absent_keys_take_the_transformers_class_defaults()
    {
        LlavaCheckpointConfig config = Parse("""{ "model_type": "llava" }""");

        Assert.Equal(LlavaArchitecture.Llava, config.Architecture);
        Assert.Equal(32000, config.ImageTokenIndex);
        Assert.Equal(-2, config.VisionFeatureLayer);
        Assert.Equal("default", config.VisionFeatureSelectStrategy);
        Assert.Empty(config.ImageGridPinpoints);
        // LlamaConfig defaults.
        Assert.Equal("llama", config.Text.ModelType);
        Assert.Equal(4096, config.Text.HiddenSize);
        Assert.Equal(11008, config.Text.IntermediateSize);
        Assert.Equal(32, config.Text.NumHiddenLayers);
        Assert.Equal(32, config.Text.NumKeyValueHeads);
        Assert.Equal(1e-6, config.Text.RmsNormEps);
        Assert.Equal(10000.0, config.Text.RopeTheta);
        Assert.Equal(32000, config.Text.VocabSize);
        Assert.False(config.Text.TieWordEmbeddings);
        // LlavaConfig's CLIP ViT-L/14-336 when vision_config is absent.
        Assert.Equal(1024, config.Vision.HiddenSize);
        Assert.Equal(24, config.Vision.NumHiddenLayers);
        Assert.Equal(577, config.Vision.NumPositions);
        Assert.Equal(23, config.VisionLayersToRun);
        Assert.Equal(576, config.FeaturesPerTile);
    }

    [Fact]
    public void Llava_next_without_pinpoints_gets_the_five_default_resolutions()
    {
        LlavaCheckpointConfig config = Parse("""{ "architectures": ["LlavaNextForConditionalGeneration"] }""");

        Assert.Equal(LlavaArchitecture.LlavaNext, config.Architecture);
        Assert.Equal([(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)], config.ImageGridPinpoints);
    }

    [Fact]
    public void Mistral_text_config_takes_mistral_defaults_and_top_level_vocab_is_a_fallback()
    {
        LlavaCheckpointConfig config = Parse("""
            { "model_type": "llava_next", "vocab_size": 32064,
              "text_config": { "model_type": "mistral", "sliding_window": null, "rope_theta": 1000000.0 } }
            """);

        Assert.Equal(8, config.Text.NumKeyValueHeads);
        Assert.Equal(14336, config.Text.IntermediateSize);
        Assert.Equal(131072, config.Text.MaxPositionEmbeddings);
        Assert.Equal(1_000_000.0, config.Text.RopeTheta);
        Assert.Equal(32064, config.Text.VocabSize);
    }

    [Theory]
    [InlineData("""{ "model_type": "qwen2_vl", "architectures": ["Qwen2VLForConditionalGeneration"] }""", "qwen2_vl")]
    [InlineData("""{ "architectures": ["LlavaOnevisionForConditionalGeneration"] }""", "LlavaOnevisionForConditionalGeneration")]
    [InlineData("""{ "model_type": "llava", "text_config": { "model_type": "gemma" } }""", "gemma")]
    [InlineData("""{ "model_type": "llava", "vision_config": { "model_type": "siglip_vision_model" } }""", "siglip_vision_model")]
    [InlineData("""{ "model_type": "llava", "text_config": { "model_type": "mistral", "sliding_window": 4096 } }""", "sliding_window 4096")]
    [InlineData("""{ "model_type": "llava", "text_config": { "rope_scaling": { "type": "linear", "factor": 2.0 } } }""", "rope_scaling")]
    [InlineData("""{ "model_type": "llava", "vision_feature_layer": [-2, -5] }""", "vision_feature_layer")]
    [InlineData("""{ "model_type": "llava", "vision_feature_layer": 30 }""", "vision_feature_layer 30")]
    [InlineData("""{ "model_type": "llava", "vision_feature_select_strategy": "cls" }""", "'cls'")]
    public void Unsupported_checkpoints_are_refused_naming_the_reason(string json, string expected)
    {
        CheckpointException ex = Assert.Throws<CheckpointException>(() => Parse(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_invalid_config_file_is_a_checkpoint_error()
    {
        using CheckpointTempDirectory temp = new();
        string path = temp.File("config.json");

        CheckpointException missing = Assert.Throws<CheckpointException>(() => LlavaCheckpointConfig.Load(path));
        File.WriteAllText(path, "{ nope");
        CheckpointException invalid = Assert.Throws<CheckpointException>(() => LlavaCheckpointConfig.Load(path));

        Assert.Contains("not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", invalid.Message, StringComparison.Ordinal);
    }

    private static LlavaCheckpointConfig Parse(string json) => LlavaCheckpointConfig.Parse(JsonNode.Parse(json)!.AsObject());
}
