using System.Collections.Concurrent;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Graphs;
using Llava.ModelBuilder.Onnx;
using Llava.TinyCheckpoints;

namespace Llava.Testing.Models;

/// <summary>
/// Tiny checkpoints of every family, written by our generator and converted by the real builder, built once
/// per build of the builder and shared by every test (and test process) that asks for them.
/// </summary>
/// <remarks>
/// The cache folder is keyed by the generator's and the builder's module version ids, which change whenever
/// their code does, so tests never run on models made by older code. Each item is built in a private folder and moved
/// into place, so parallel test processes never see a half-written model.
/// </remarks>
public static class TinyModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_items = new(StringComparer.Ordinal);

    public static string CacheRoot { get; } = Path.Combine(
        Path.GetTempPath(),
        "llava-tests",
        TinyCheckpointGenerator.CodeKey);

    /// <summary>The tiny llava-hf checkpoint of a family (fp32 safetensors, tokenizer, processor files).</summary>
    public static string Checkpoint(string family) => GetOrBuild($"ckpt-{family}", target =>
    {
        TinyCheckpointGenerator.Write(TinyFamily.FromName(family), target);
    });

    /// <summary>The converted model folder of a family at a precision.</summary>
    public static string Model(
        string family,
        ModelPrecision precision = ModelPrecision.Fp32,
        bool allPositionLogits = false,
        int int4BlockSize = 32,
        string executionProvider = "cpu",
        DecoderAttention attention = DecoderAttention.GroupQuery,
        Int4Scheme int4Scheme = ConversionOptions.DefaultInt4Scheme,
        bool quantizeLmHead = true)
    {
        string checkpoint = Checkpoint(family);
        string key = $"model-{family}-{precision}-{(allPositionLogits ? "all" : "last")}-{int4BlockSize}-{executionProvider}-{attention}".ToLowerInvariant();
        if (precision == ModelPrecision.Int4 && (int4Scheme != ConversionOptions.DefaultInt4Scheme || !quantizeLmHead))
        {
            key += $"-{int4Scheme}-{(quantizeLmHead ? "q4head" : "densehead")}".ToLowerInvariant();
        }

        return GetOrBuild(key, target =>
        {
            ConversionOptions options = new() { Precision = precision, AllPositionLogits = allPositionLogits, Int4BlockSize = int4BlockSize, ExecutionProvider = executionProvider, Attention = attention, Int4Scheme = int4Scheme, QuantizeLmHead = quantizeLmHead };
            LlavaModelConverter.ConvertAsync(checkpoint, target, options).GetAwaiter().GetResult();
        });
    }

    private static string GetOrBuild(string key, Action<string> build) =>
        s_items.GetOrAdd(key, k => new Lazy<string>(() => BuildOnce(k, build))).Value;

    private static string BuildOnce(string key, Action<string> build)
    {
        string final = Path.Combine(CacheRoot, key);
        if (Directory.Exists(final))
        {
            return final;
        }

        string staging = Path.Combine(CacheRoot, $".{key}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(CacheRoot);
        build(staging);
        try
        {
            Directory.Move(staging, final);
        }
        catch (IOException) when (Directory.Exists(final))
        {
            // Another test process finished the same item first; theirs is identical (deterministic build).
            Directory.Delete(staging, recursive: true);
        }

        return final;
    }
}
