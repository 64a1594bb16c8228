using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Llava.Benchmarking;
using Llava.Cli.Bench;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.Benchmarks;

/// <summary>
/// One request of 8 greedy tokens on the tiny LLaVA-1.5 model (336 px image, 576 image tokens): the engine
/// (GenerateAsync, preprocessing included) against the same three graphs driven directly through ONNX Runtime
/// on an already prepared prompt (the baseline; BenchmarkDotNet's ratio column is the engine's cost).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRunConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the engine and sessions.")]
public class GenerationBenchmarks
{
    private static readonly GenerationOptions s_options = new() { MaxNewTokens = 8 };
    private LlavaEngine _engine = null!;
    private RawOnnxPipeline _raw = null!;
    private PromptMessage[] _messages = [];
    private PreparedPrompt _prompt = null!;
    private HashSet<int> _eos = [];

    [GlobalSetup]
    public void Setup()
    {
        string model = TinyModels.Model(ModelVariant.Llava15);
        _engine = LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = model }).GetAwaiter().GetResult();
        _raw = new RawOnnxPipeline(model);
        _messages = [PromptMessage.User(BenchImages.Square336(BenchInputs.Context), "Describe the image.")];
        _prompt = _engine.PrepareAsync(_messages).GetAwaiter().GetResult();
        _eos = [.. _engine.Manifest.EosTokenIds];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime, prepared prompt")]
    public int Raw() => _raw.Generate(_prompt, s_options.MaxNewTokens, _eos).TokenIds.Count;

    [Benchmark(Description = "engine GenerateAsync (incl. preprocessing)")]
    public Task<GenerationResult> Engine() => _engine.GenerateAsync(_messages, s_options);
}
