using System.Diagnostics;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Loading;
using Llava.ModelFormat;
using Llava.Testing;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Engine;

public sealed class EngineInputSafetyTests
{
    private const string Family = "llava-v1.6-vicuna";

    public static TheoryData<string, ImageRejectionReason> BadImages() => new()
    {
        { "truncated.jpg", ImageRejectionReason.Corrupt },
        { "tiny.tiff", ImageRejectionReason.Unsupported },
        { "tiny.tga", ImageRejectionReason.Unsupported },
        { "bomb_100000x100000.png", ImageRejectionReason.TooLarge },
        { "bomb_65535x65535.gif", ImageRejectionReason.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task A_bad_image_gets_its_typed_error_quickly_and_the_engine_keeps_serving(string file, ImageRejectionReason reason)
    {
        using LlavaEngine engine = TinyEngines.Load(Family, 1, 0);
        byte[] bytes = File.ReadAllBytes(RepositoryPaths.Fixture("images", "bad", file));
        Stopwatch clock = Stopwatch.StartNew();

        ImageRejectedException error = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(bytes, "What is it?"));

        Assert.Equal(reason, error.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"rejecting {file} took {clock.Elapsed}");
        Assert.Equal(0, engine.InFlight);
        GenerationResult next = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "And this?", new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal(2, next.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Zero_bytes_and_random_bytes_are_rejected_as_images()
    {
        LlavaEngine engine = TinyEngines.For(Family);
        byte[] noise = new byte[4096];
        new Random(3).NextBytes(noise);

        ImageRejectedException empty = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(Array.Empty<byte>(), "?"));
        ImageRejectedException random = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(noise, "?"));

        Assert.Equal(ImageRejectionReason.Empty, empty.Reason);
        Assert.Equal(ImageRejectionReason.Unsupported, random.Reason);
    }

    [Fact]
    public async Task An_oversized_encoded_image_is_refused_before_decoding()
    {
        using LlavaEngine engine = await LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = TinyModels.Model(Family), MaxImageBytes = 1024 });

        ImageRejectedException error = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "?"));

        Assert.Equal(ImageRejectionReason.TooLarge, error.Reason);
    }

    [Fact]
    public async Task Loading_a_folder_with_a_missing_file_names_the_file()
    {
        string copy = CopyModel();
        File.Delete(Path.Combine(copy, "decoder.onnx.data"));

        ModelLoadException error = await Assert.ThrowsAsync<ModelLoadException>(() => LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = copy }));

        Assert.Contains("decoder.onnx.data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_a_folder_with_a_changed_file_reports_the_checksum_mismatch()
    {
        string copy = CopyModel();
        string path = Path.Combine(copy, "vision.onnx.data");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        ModelLoadException error = await Assert.ThrowsAsync<ModelLoadException>(() => LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = copy }));

        Assert.Contains("vision.onnx.data", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        // Size-only verification is for folders already checked; it does not read the bytes.
        using LlavaEngine sizeOnly = await LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = copy, Verification = ChecksumVerification.SizeOnly });
        Assert.Equal(ModelVariant.NextVicuna, sizeOnly.Manifest.Variant);
    }

    [Fact]
    public async Task Loading_a_manifest_with_an_unknown_variant_is_refused_by_name()
    {
        string copy = CopyModel();
        string path = Path.Combine(copy, ModelManifest.FileName);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(path));
        File.WriteAllText(path, (manifest with { Variant = "llava-v2-imaginary" }).ToJson());

        ModelLoadException error = await Assert.ThrowsAsync<ModelLoadException>(() => LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = copy }));

        Assert.Contains("llava-v2-imaginary", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("head_size")]
    [InlineData("pad_token_id")]
    public async Task Loading_a_genai_config_without_what_the_engine_reads_from_it_is_refused_by_name(string missing)
    {
        string copy = CopyModel();
        string path = Path.Combine(copy, ModelFolderLayout.GenAiConfig);
        System.Text.Json.Nodes.JsonNode config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(config["model"]!.AsObject().Remove(missing) || config["model"]!["decoder"]!.AsObject().Remove(missing));
        File.WriteAllText(path, config.ToJsonString());
        string manifestPath = Path.Combine(copy, ModelManifest.FileName);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath));
        ManifestFile[] files = [.. manifest.Files.Select(f => f.Path == ModelFolderLayout.GenAiConfig ? f with { Bytes = new FileInfo(path).Length } : f)];
        File.WriteAllText(manifestPath, (manifest with { Files = files }).ToJson());

        ModelLoadException error = await Assert.ThrowsAsync<ModelLoadException>(() => LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = copy, Verification = ChecksumVerification.SizeOnly }));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_a_folder_that_is_not_a_model_says_how_to_make_one()
    {
        string empty = Directory.CreateTempSubdirectory("llava-empty-").FullName;

        ModelLoadException error = await Assert.ThrowsAsync<ModelLoadException>(() => LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = empty }));

        Assert.Contains("llava convert", error.Message, StringComparison.Ordinal);
    }

    private static string CopyModel()
    {
        string source = TinyModels.Model(Family);
        string copy = Directory.CreateTempSubdirectory("llava-model-").FullName;
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }
}
