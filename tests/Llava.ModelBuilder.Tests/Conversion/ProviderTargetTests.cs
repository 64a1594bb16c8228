using System.Text.Json.Nodes;
using Llava.Inference.Errors;
using Llava.Inference.Loading;
using Llava.ModelBuilder.Graphs;
using Llava.ModelBuilder.Onnx;
using Llava.ModelBuilder.Tests.Onnx;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// Folders built for a provider: the graphs carry that provider's kernels and types, and the manifest says so.
/// The CUDA GenAI package is not served here, so CUDA folders are checked structurally (their graphs are read,
/// not run).
/// </summary>
public sealed class ProviderTargetTests
{
    private const string Family = "llava-v1.6-mistral";

    private const int Float = 1;
    private const int Float16 = 10;

    [Fact]
    public void A_cuda_int4_folder_has_fp16_activations_fused_attention_and_int4_linears_without_an_accuracy_level()
    {
        string folder = TinyModels.Model(Family, ModelPrecision.Int4, executionProvider: ExecutionProviderName.Cuda);
        OnnxModelInspector decoder = OnnxModelInspector.Load(Path.Combine(folder, ModelFolderLayout.Decoder));
        int layers = LayerCount(folder);

        Assert.Equal(layers, decoder.Nodes.Count(n => n.OpType == "GroupQueryAttention" && n.Domain == "com.microsoft"));
        Assert.All(decoder.Nodes.Where(n => n.OpType == "GroupQueryAttention"), n => Assert.Equal(1, n.IntAttributes["do_rotary"]));
        OnnxNodeInfo[] int4 = [.. decoder.Nodes.Where(n => n.OpType == "MatMulNBits")];
        Assert.Equal((layers * 5) + 1, int4.Length); // packed QKV, o, gate, up, down per layer, and the LM head
        Assert.All(int4, n => Assert.False(n.IntAttributes.ContainsKey("accuracy_level"), "CUDA MatMulNBits must leave accuracy_level at 0."));
        Assert.DoesNotContain(decoder.Nodes, n => n.OpType is "Softmax" or "MatMul" or "Concat");
        // Residual add + RMSNorm fused twice per layer (the first layer's input norm has no residual yet, the final norm has one).
        Assert.Equal(2 * layers, decoder.Nodes.Count(n => n.OpType == "SkipSimplifiedLayerNormalization"));
        Assert.Single(decoder.Nodes, n => n.OpType == "SimplifiedLayerNormalization");
        Assert.Equal(Float16, decoder.InputTypes[DecoderGraphBuilder.InputsEmbeds]);
        Assert.Equal(Float16, decoder.InputTypes[DecoderGraphBuilder.Name(DecoderGraphBuilder.PastKeyFormat, 0)]);
        Assert.Equal(Float, decoder.OutputTypes[DecoderGraphBuilder.Logits]);
        Assert.False(decoder.InputTypes.ContainsKey(DecoderGraphBuilder.PositionIds));
        Assert.Equal(Float16, OnnxModelInspector.Load(Path.Combine(folder, ModelFolderLayout.Vision)).InputTypes[VisionGraphBuilder.PixelValues]);
        Assert.Equal(Float16, OnnxModelInspector.Load(Path.Combine(folder, ModelFolderLayout.Embedding)).OutputTypes[EmbeddingGraphBuilder.InputsEmbeds]);

        AssertSharedBuffer(folder);
        ModelManifest manifest = ReadManifest(folder);
        Assert.Equal(ExecutionProviderName.Cuda, manifest.ExecutionProvider);
        Assert.Equal(ActivationTypeName.Fp16, manifest.ActivationType);
        Assert.Equal(AttentionKind.GroupQuery, manifest.Attention);
    }

    [Fact]
    public void A_cuda_fp16_folder_has_fp16_fused_attention_and_dense_linears()
    {
        string folder = TinyModels.Model(Family, ModelPrecision.Fp16, executionProvider: ExecutionProviderName.Cuda);
        OnnxModelInspector decoder = OnnxModelInspector.Load(Path.Combine(folder, ModelFolderLayout.Decoder));

        Assert.Equal(LayerCount(folder), decoder.Nodes.Count(n => n.OpType == "GroupQueryAttention"));
        Assert.DoesNotContain(decoder.Nodes, n => n.OpType == "MatMulNBits");
        Assert.Equal(Float16, decoder.InputTypes[DecoderGraphBuilder.InputsEmbeds]);
        AssertSharedBuffer(folder);
        Assert.Equal(ExecutionProviderName.Cuda, ReadManifest(folder).ExecutionProvider);
    }

    [Fact]
    public void A_cpu_int4_folder_quantizes_every_linear_and_the_lm_head_at_accuracy_level_4_with_fp32_activations()
    {
        string folder = TinyModels.Model(Family, ModelPrecision.Int4);
        OnnxModelInspector decoder = OnnxModelInspector.Load(Path.Combine(folder, ModelFolderLayout.Decoder));
        OnnxNodeInfo[] int4 = [.. decoder.Nodes.Where(n => n.OpType == "MatMulNBits")];

        Assert.Equal((LayerCount(folder) * 5) + 1, int4.Length);
        Assert.All(int4, n => Assert.Equal(4, n.IntAttributes["accuracy_level"]));
        Assert.Equal(Float, decoder.InputTypes[DecoderGraphBuilder.InputsEmbeds]);
        ModelManifest manifest = ReadManifest(folder);
        Assert.Equal(ExecutionProviderName.Cpu, manifest.ExecutionProvider);
        Assert.Equal(ActivationTypeName.Fp32, manifest.ActivationType);
    }

    [Fact]
    public void The_manifest_records_the_int4_scheme_and_lm_head_and_symmetric_linears_carry_no_zero_points()
    {
        string asymmetric = TinyModels.Model(Family, ModelPrecision.Int4);
        string symmetric = TinyModels.Model(Family, ModelPrecision.Int4, int4Scheme: Int4Scheme.Symmetric, quantizeLmHead: false);

        Assert.Equal("asymmetric", ReadManifest(asymmetric).Int4Scheme);
        Assert.True(ReadManifest(asymmetric).Int4LmHead);
        Assert.All(OnnxModelInspector.Load(Path.Combine(asymmetric, ModelFolderLayout.Decoder)).Nodes.Where(n => n.OpType == "MatMulNBits"), n => Assert.Equal(4, n.Inputs.Count));
        Assert.Equal("symmetric", ReadManifest(symmetric).Int4Scheme);
        Assert.False(ReadManifest(symmetric).Int4LmHead);
        OnnxNodeInfo[] int4 = [.. OnnxModelInspector.Load(Path.Combine(symmetric, ModelFolderLayout.Decoder)).Nodes.Where(n => n.OpType == "MatMulNBits")];
        Assert.Equal(LayerCount(symmetric) * 5, int4.Length);
        Assert.All(int4, n => Assert.Equal(3, n.Inputs.Count));
        Assert.Null(ReadManifest(TinyModels.Model(Family)).Int4Scheme);
    }

    [Fact]
    public async Task Converting_fp32_for_cuda_is_refused_because_cuda_has_no_fp32_fused_attention()
    {
        using TempFolder output = new();
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => LlavaModelConverter.ConvertAsync(
            TinyModels.Checkpoint(Family), Path.Combine(output.Path, "model"), new ConversionOptions { ExecutionProvider = ExecutionProviderName.Cuda }));
        Assert.Contains("fp16 or int4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutionProviderName.Cuda, ExecutionProviderName.Cpu)]
    [InlineData(ExecutionProviderName.Cpu, ExecutionProviderName.Cuda)]
    public async Task A_folder_built_for_one_provider_is_refused_on_the_other(string builtFor, string runOn)
    {
        ModelFolder folder = await ModelFolder.OpenAsync(TinyModels.Model(Family, ModelPrecision.Fp16, executionProvider: builtFor), ChecksumVerification.SizeOnly);

        ModelLoadException error = Assert.Throws<ModelLoadException>(() => folder.EnsureBuiltFor(runOn));
        Assert.Contains($"built for the {builtFor} execution provider", error.Message, StringComparison.Ordinal);
        Assert.Contains($"--provider {runOn}", error.Message, StringComparison.Ordinal);
        folder.EnsureBuiltFor(builtFor);
    }

    private static void AssertSharedBuffer(string folder)
    {
        JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolderLayout.GenAiConfig)))!;
        Assert.True(config["search"]!["past_present_share_buffer"]!.GetValue<bool>());
        Assert.Null(config["model"]!["decoder"]!["inputs"]!["position_ids"]);
    }

    private static ModelManifest ReadManifest(string folder) =>
        ModelManifest.FromJson(File.ReadAllText(Path.Combine(folder, ModelManifest.FileName)));

    private static int LayerCount(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelFolderLayout.GenAiConfig)))!["model"]!["decoder"]!["num_hidden_layers"]!.GetValue<int>();
}
