using System.Globalization;
using Llava.Benchmarking;
using Llava.Cli.Bench;
using Llava.Cli.Demo;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Loading;
using Llava.Inference.Prompts;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Graphs;
using Llava.ModelBuilder.Onnx;
using Llava.Testing;
using Llava.TinyCheckpoints;

namespace Llava.Benchmarks;

/// <summary>
/// <c>precision</c>: the int4 choices against fp32 on the mid-size LLaVA-NeXT (Mistral) checkpoint. Each variant
/// (symmetric or asymmetric blocks, LM head 4-bit or kept in float32) is converted in process and run through the
/// raw graphs on the same prepared 336 x 336 prompt: the error of the prompt's logits against fp32 (the tests' measure,
/// <see cref="Tolerance.Relative"/>: max |difference| / max |fp32 logit|), whether
/// the top token and the top 5 agree, how many greedy tokens agree, decode tokens/s (best of two), and the
/// relative RMS error the quantizer leaves in the decoder's weights.
/// </summary>
internal static class PrecisionBenchmark
{
    private const int Tokens = 32;
    private const int Runs = 2;

    public static async Task<int> RunAsync()
    {
        CancellationToken none = CancellationToken.None;
        string checkpoint = await RandomModels.CheckpointAsync(BenchInputs.Context, TinyFamily.NextMistral, midSize: true, none);
        string fp32 = await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.NextMistral, midSize: true, ModelPrecision.Fp32, none);

        PreparedPrompt prompt;
        int[] eos;
        using (LlavaEngine engine = await LlavaEngine.LoadAsync(new LlavaEngineOptions { ModelPath = fp32, Verification = ChecksumVerification.SizeOnly }))
        {
            prompt = await engine.PrepareAsync([PromptMessage.User(BenchImages.Square336(BenchInputs.Context), "Describe the image.")], none);
            eos = [.. engine.Manifest.EosTokenIds];
        }

        (string Name, ConversionOptions? Options)[] variants =
        [
            ("fp32", null),
            ("int4 asymmetric", Int4(Int4Scheme.Asymmetric, quantizeLmHead: true)),
            ("int4 symmetric", Int4(Int4Scheme.Symmetric, quantizeLmHead: true)),
            ("int4 asymmetric, fp32 LM head", Int4(Int4Scheme.Asymmetric, quantizeLmHead: false)),
            ("int4 symmetric, fp32 LM head", Int4(Int4Scheme.Symmetric, quantizeLmHead: false)),
        ];

        string scratch = Path.Combine(Path.GetTempPath(), $"llava-precision-{Environment.ProcessId}");
        RawRun? reference = null;
        MarkdownTable table = new("variant", "prompt logits error", "top-1 agrees", "top-5 overlap", "greedy tokens agreeing", "decode tokens/s", "decoder MiB");
        try
        {
            foreach ((string name, ConversionOptions? options) in variants)
            {
                string folder = fp32;
                if (options is not null)
                {
                    folder = Path.Combine(scratch, name.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal));
                    Console.Error.WriteLine($"converting {name}...");
                    await LlavaModelConverter.ConvertAsync(checkpoint, folder, options with { Overwrite = true }, progress: null, none);
                }

                RawRun best = Measure(folder, prompt, eos);
                reference ??= best;
                float[] logits = [.. best.PromptLogits];
                float[] expected = [.. reference.PromptLogits];
                int agreeing = reference.TokenIds.Zip(best.TokenIds).TakeWhile(p => p.First == p.Second).Count();
                long decoderBytes = new FileInfo(Path.Combine(folder, "decoder.onnx.data")).Length;
                table.Add(
                    name,
                    Tolerance.Relative(logits, expected).ToString("0.00e+00", CultureInfo.InvariantCulture),
                    Tolerance.ArgMax(logits) == Tolerance.ArgMax(expected) ? "yes" : "no",
                    $"{TopK(logits, 5).Intersect(TopK(expected, 5)).Count()}/5",
                    $"{agreeing}/{reference.TokenIds.Count}",
                    best.DecodeTokensPerSecond.ToString("F1", CultureInfo.InvariantCulture),
                    (decoderBytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        Console.WriteLine($"int4 choices on the mid-size llava-v1.6-mistral (random weights), {MachineInfo.Describe()}; {prompt.TokenIds.Length} prompt tokens, {Tokens} greedy tokens, best of {Runs} runs.");
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine();
        PrintWeightErrors(checkpoint);
        return 0;
    }

    private static ConversionOptions Int4(Int4Scheme scheme, bool quantizeLmHead) =>
        new() { Precision = ModelPrecision.Int4, Int4Scheme = scheme, QuantizeLmHead = quantizeLmHead };

    private static RawRun Measure(string folder, PreparedPrompt prompt, int[] eos)
    {
        using RawOnnxPipeline raw = new(folder);
        HashSet<int> stop = [.. eos];
        raw.Generate(prompt, 4, stop);
        RawRun best = raw.Generate(prompt, Tokens, stop);
        for (int run = 1; run < Runs; run++)
        {
            RawRun next = raw.Generate(prompt, Tokens, stop);
            if (next.DecodeTokensPerSecond > best.DecodeTokensPerSecond)
            {
                best = next;
            }
        }

        return best;
    }

    // The quantizer's own error on the weights it quantizes: what the schemes differ in, free of any graph.
    private static void PrintWeightErrors(string checkpoint)
    {
        using SafetensorsCheckpoint weights = SafetensorsCheckpoint.Open(checkpoint);
        string[] names = [.. weights.Tensors.Keys
            .Where(n => n.StartsWith("language_model.", StringComparison.Ordinal) && (n.EndsWith("_proj.weight", StringComparison.Ordinal) || n.EndsWith("lm_head.weight", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
        MarkdownTable table = new("scheme", "weights", "relative RMS error", "worst element error / block max");
        foreach (Int4Scheme scheme in Enum.GetValues<Int4Scheme>())
        {
            double squaredError = 0;
            double squaredWeight = 0;
            double worst = 0;
            foreach (string name in names)
            {
                long[] shape = weights.GetShape(name);
                float[] w = weights.ReadFloat32(name);
                int n = checked((int)shape[0]);
                int k = checked((int)shape[1]);
                float[] back = Int4BlockQuantizer.Dequantize(Int4BlockQuantizer.Quantize(w, n, k, 32, OnnxDataType.Float, scheme));
                for (int i = 0; i < w.Length; i++)
                {
                    double e = w[i] - back[i];
                    squaredError += e * e;
                    squaredWeight += (double)w[i] * w[i];
                }

                worst = Math.Max(worst, WorstRelativeToBlock(w, back, n, k, 32));
            }

            table.Add(scheme.ToString().ToLowerInvariant(), names.Length.ToString(CultureInfo.InvariantCulture), Math.Sqrt(squaredError / squaredWeight).ToString("0.000e+00", CultureInfo.InvariantCulture), worst.ToString("F3", CultureInfo.InvariantCulture));
        }

        Console.WriteLine("Quantization error of the decoder's linears and LM head (block 32):");
        Console.WriteLine();
        Console.WriteLine(table);
    }

    // Blocks run along each row (K), as the quantizer cuts them; the last one of a row may be short.
    private static double WorstRelativeToBlock(float[] w, float[] back, int n, int k, int block)
    {
        double worst = 0;
        for (int row = 0; row < n; row++)
        {
            for (int start = row * k; start < (row + 1) * k; start += block)
            {
                int end = Math.Min((row + 1) * k, start + block);
                double max = 0;
                double error = 0;
                for (int i = start; i < end; i++)
                {
                    max = Math.Max(max, Math.Abs(w[i]));
                    error = Math.Max(error, Math.Abs(w[i] - back[i]));
                }

                if (max > 0)
                {
                    worst = Math.Max(worst, error / max);
                }
            }
        }

        return worst;
    }

    private static int[] TopK(float[] values, int k) =>
        [.. values.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(k).Select(p => p.i)];
}
