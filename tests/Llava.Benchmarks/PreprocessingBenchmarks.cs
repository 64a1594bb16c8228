using BenchmarkDotNet.Attributes;
using Llava.Cli.Bench;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Images;
using Llava.Inference.Preprocessing;
using Llava.Inference.Prompts;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.Benchmarks;

/// <summary>
/// Image preprocessing per image with the transformers conventions: LLaVA-1.5's CLIP resize/crop/normalise of a
/// 336 x 336 photo (one tile) and LLaVA-NeXT's anyres of a 1024 x 768 photo (best resolution, resize-and-pad,
/// tiles, base image, feature index); each alone (decoded image in) and as the engine does it per request
/// (JPEG bytes in: decode, preprocess, prompt rendering and tokenization).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRunConfig))]
public class PreprocessingBenchmarks
{
    private LlavaEngine _clipEngine = null!;
    private LlavaEngine _anyResEngine = null!;
    private byte[] _square = [];
    private byte[] _large = [];
    private DecodedImage _squareDecoded = null!;
    private DecodedImage _largeDecoded = null!;
    private IImagePreprocessor _clip = null!;
    private IImagePreprocessor _anyRes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _clipEngine = Load(ModelVariant.Llava15);
        _anyResEngine = Load(ModelVariant.NextMistral);
        _square = BenchImages.Square336(BenchInputs.Context);
        _large = BenchImages.Resized(BenchInputs.Context, 1024, 768);
        ImageLoader loader = new();
        _squareDecoded = loader.Load(_square);
        _largeDecoded = loader.Load(_large);
        _clip = ImagePreprocessor.Create(_clipEngine.Manifest.Vision);
        _anyRes = ImagePreprocessor.Create(_anyResEngine.Manifest.Vision);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _squareDecoded.Dispose();
        _largeDecoded.Dispose();
        _clipEngine.Dispose();
        _anyResEngine.Dispose();
    }

    [Benchmark(Description = "CLIP 336 px, decoded image in")]
    public PreprocessedImage Clip336() => _clip.Preprocess(_squareDecoded);

    [Benchmark(Description = "anyres 1024x768, decoded image in")]
    public PreprocessedImage AnyRes1024x768() => _anyRes.Preprocess(_largeDecoded);

    [Benchmark(Description = "engine prepare, 336 px JPEG (llava-1.5)")]
    public Task<PreparedPrompt> Prepare336() => _clipEngine.PrepareAsync([PromptMessage.User(_square, "Describe the image.")]);

    [Benchmark(Description = "engine prepare, 1024x768 JPEG (llava-v1.6)")]
    public Task<PreparedPrompt> Prepare1024x768() => _anyResEngine.PrepareAsync([PromptMessage.User(_large, "Describe the image.")]);

    private static LlavaEngine Load(string family) =>
        LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = TinyModels.Model(family) }).GetAwaiter().GetResult();
}
