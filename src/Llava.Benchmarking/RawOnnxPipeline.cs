using System.Diagnostics;
using Llava.Inference.Engine;
using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.Benchmarking;

/// <summary>
/// The three graphs of a model folder run directly with ONNX Runtime <see cref="InferenceSession"/>s, no GenAI:
/// vision on the prompt's tiles, the embedding graph on the whole prompt, a decoder prefill, then one
/// embedding + decoder call per new token with the KV cache kept here as GenAI keeps it, greedy argmax. A
/// GroupQueryAttention decoder gets GenAI's shared buffer (<c>past_present_share_buffer: true</c>): one
/// [1, kv_heads, prompt + max new tokens, head] buffer per layer and K/V, allocated once and bound as both past
/// and present, written in place; a plain-operator decoder gets the previous call's presents as its pasts. Tensors
/// pass from one session to the next as <see cref="OrtValue"/>s without managed copies, so this is the floor
/// the engine's overhead is measured against.
/// </summary>
public sealed class RawOnnxPipeline : IDisposable
{
    private readonly InferenceSession _vision;
    private readonly InferenceSession _embedding;
    private readonly InferenceSession _decoder;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _decoderInputs;
    private readonly string[] _decoderOutputs;
    private readonly int _layers;
    private readonly long _kvHeads;
    private readonly long _headDim;
    private readonly long _hidden;
    private readonly long[] _tileShape;
    private readonly bool _int32Ids;
    private readonly bool _int32Positions;
    private readonly bool _sharedBuffer;
    private readonly long _vocab;

    public RawOnnxPipeline(string modelDirectory)
    {
        // The engine's session settings (LlavaEngineOptions defaults on CPU), so that the comparison measures the
        // engine, not the settings: one intra-op thread per core (ONNX Runtime's own default picked one thread on
        // the 2-vCPU development machine, which made this side 1.5-1.8x slower) and no CPU memory arena (the
        // engine returns memory after each request; with an arena the prefill here is ~25% faster, see
        // docs/performance.md).
        using SessionOptions options = new() { IntraOpNumThreads = Environment.ProcessorCount, EnableCpuMemArena = false };
        _vision = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Vision), options);
        _embedding = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Embedding), options);
        _decoder = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Decoder), options);
        NodeMetadata past = _decoder.InputMetadata[DecoderGraphBuilder.Name(DecoderGraphBuilder.PastKeyFormat, 0)];
        if (past.ElementDataType != TensorElementType.Float || _decoder.InputMetadata[DecoderGraphBuilder.InputsEmbeds].ElementDataType != TensorElementType.Float)
        {
            Dispose();
            throw new NotSupportedException("The raw ONNX Runtime comparison runs float32 graphs (fp32 and int4 models), not fp16.");
        }

        _layers = _decoder.InputMetadata.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal)) / 2;
        _kvHeads = past.Dimensions[1];
        _headDim = past.Dimensions[3];
        _hidden = _decoder.InputMetadata[DecoderGraphBuilder.InputsEmbeds].Dimensions[2];
        _tileShape = [.. _vision.InputMetadata[VisionGraphBuilder.PixelValues].Dimensions.Skip(1).Select(d => (long)d)];
        _int32Ids = _embedding.InputMetadata[EmbeddingGraphBuilder.InputIds].ElementDataType == TensorElementType.Int32;
        _sharedBuffer = !_decoder.InputMetadata.ContainsKey(DecoderGraphBuilder.PositionIds);
        _int32Positions = _decoder.InputMetadata[DecoderGraphBuilder.AttentionMask].ElementDataType == TensorElementType.Int32;
        _vocab = _decoder.OutputMetadata[DecoderGraphBuilder.Logits].Dimensions[2];
        List<string> inputs = [DecoderGraphBuilder.InputsEmbeds, DecoderGraphBuilder.AttentionMask];
        if (!_sharedBuffer)
        {
            inputs.Add(DecoderGraphBuilder.PositionIds);
        }

        List<string> outputs = [DecoderGraphBuilder.Logits];
        for (int i = 0; i < _layers; i++)
        {
            inputs.Add(DecoderGraphBuilder.Name(DecoderGraphBuilder.PastKeyFormat, i));
            inputs.Add(DecoderGraphBuilder.Name(DecoderGraphBuilder.PastValueFormat, i));
            outputs.Add(DecoderGraphBuilder.Name(DecoderGraphBuilder.PresentKeyFormat, i));
            outputs.Add(DecoderGraphBuilder.Name(DecoderGraphBuilder.PresentValueFormat, i));
        }

        _decoderInputs = [.. inputs];
        _decoderOutputs = [.. outputs];
    }

    /// <summary>Greedy generation of up to <paramref name="maxNewTokens"/> tokens (stopping at an end-of-turn id, as the engine does).</summary>
    public RawRun Generate(PreparedPrompt prompt, int maxNewTokens, IReadOnlySet<int> eosTokenIds)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(eosTokenIds);
        if (prompt.PixelValues is not float[] pixelValues)
        {
            throw new NotSupportedException("The raw comparison needs float32 pixel values.");
        }

        Stopwatch clock = Stopwatch.StartNew();
        List<int> tokens = [];
        IDisposableReadOnlyCollection<OrtValue>? visionOutputs = null;
        IDisposableReadOnlyCollection<OrtValue>? presents = null;
        OrtValue[] pasts = new OrtValue[2 * _layers];
        using OrtValue noFeatures = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [0, _hidden]);
        try
        {
            OrtValue features = noFeatures;
            if (prompt.FeatureIndex.Length > 0)
            {
                using OrtValue pixels = OrtValue.CreateTensorValueFromMemory(pixelValues, [prompt.TileCount, .. _tileShape]);
                using OrtValue index = OrtValue.CreateTensorValueFromMemory(prompt.FeatureIndex, [prompt.FeatureIndex.Length]);
                visionOutputs = _vision.Run(_runOptions, [VisionGraphBuilder.PixelValues, VisionGraphBuilder.FeatureIndex], [pixels, index], [VisionGraphBuilder.ImageFeatures]);
                features = visionOutputs[0];
            }

            if (_sharedBuffer)
            {
                return GenerateShared(prompt, maxNewTokens, eosTokenIds, features, noFeatures, clock);
            }

            for (int i = 0; i < pasts.Length; i++)
            {
                pasts[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, _kvHeads, 0, _headDim]);
            }

            int cached = 0;
            int[] ids = prompt.TokenIds;
            TimeSpan firstToken = TimeSpan.Zero;
            float[] promptLogits = [];
            while (true)
            {
                using IDisposableReadOnlyCollection<OrtValue> embeds = Embed(ids, features);
                features = noFeatures;
                IDisposableReadOnlyCollection<OrtValue> outputs = Decode(embeds[0], cached, ids.Length, pasts);
                if (presents is null)
                {
                    foreach (OrtValue empty in pasts)
                    {
                        empty.Dispose();
                    }
                }
                else
                {
                    presents.Dispose();
                }

                presents = outputs;
                for (int i = 0; i < pasts.Length; i++)
                {
                    pasts[i] = outputs[i + 1];
                }

                cached += ids.Length;
                int token = ArgMax(outputs[0].GetTensorDataAsSpan<float>());
                tokens.Add(token);
                if (tokens.Count == 1)
                {
                    firstToken = clock.Elapsed;
                    promptLogits = outputs[0].GetTensorDataAsSpan<float>()[^checked((int)_vocab)..].ToArray();
                }

                if (eosTokenIds.Contains(token) || tokens.Count >= maxNewTokens)
                {
                    break;
                }

                ids = [token];
            }

            return new RawRun(firstToken, clock.Elapsed - firstToken, tokens, promptLogits);
        }
        finally
        {
            presents?.Dispose();
            visionOutputs?.Dispose();
        }
    }

    /// <summary>The GroupQueryAttention loop: KV buffers sized prompt + max new tokens, as the engine sizes GenAI's.</summary>
    private RawRun GenerateShared(PreparedPrompt prompt, int maxNewTokens, IReadOnlySet<int> eosTokenIds, OrtValue features, OrtValue noFeatures, Stopwatch clock)
    {
        long maxLength = prompt.TokenIds.Length + maxNewTokens;
        OrtValue[] buffers = new OrtValue[2 * _layers];
        float[] logits = new float[_vocab];
        using OrtValue logitsValue = OrtValue.CreateTensorValueFromMemory(logits, [1, 1, _vocab]);
        try
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                buffers[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, _kvHeads, maxLength, _headDim]);
            }

            List<int> tokens = [];
            int cached = 0;
            int[] ids = prompt.TokenIds;
            TimeSpan firstToken = TimeSpan.Zero;
            float[] promptLogits = [];
            while (true)
            {
                using IDisposableReadOnlyCollection<OrtValue> embeds = Embed(ids, features);
                features = noFeatures;
                int total = cached + ids.Length;
                using OrtValue mask = Mask(total);
                _decoder.Run(_runOptions, _decoderInputs, [embeds[0], mask, .. buffers], _decoderOutputs, [logitsValue, .. buffers]);
                cached = total;
                int token = ArgMax(logits);
                tokens.Add(token);
                if (tokens.Count == 1)
                {
                    firstToken = clock.Elapsed;
                    promptLogits = [.. logits];
                }

                if (eosTokenIds.Contains(token) || tokens.Count >= maxNewTokens)
                {
                    return new RawRun(firstToken, clock.Elapsed - firstToken, tokens, promptLogits);
                }

                ids = [token];
            }
        }
        finally
        {
            foreach (OrtValue? buffer in buffers)
            {
                buffer?.Dispose();
            }
        }
    }

    private OrtValue Mask(int total) =>
        _int32Positions
            ? OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1, total).ToArray(), [1, total])
            : OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, total).ToArray(), [1, total]);

    public void Dispose()
    {
        _decoder.Dispose();
        _embedding.Dispose();
        _vision.Dispose();
        _runOptions.Dispose();
    }

    private IDisposableReadOnlyCollection<OrtValue> Embed(int[] ids, OrtValue features)
    {
        using OrtValue input = _int32Ids
            ? OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length])
            : OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(ids, id => (long)id), [1, ids.Length]);
        return _embedding.Run(_runOptions, [EmbeddingGraphBuilder.InputIds, EmbeddingGraphBuilder.ImageFeatures], [input, features], [EmbeddingGraphBuilder.InputsEmbeds]);
    }

    private IDisposableReadOnlyCollection<OrtValue> Decode(OrtValue embeds, int cached, int length, OrtValue[] pasts)
    {
        int total = cached + length;
        using OrtValue mask = Mask(total);
        using OrtValue positions = _int32Positions
            ? OrtValue.CreateTensorValueFromMemory(Enumerable.Range(cached, length).ToArray(), [1, length])
            : OrtValue.CreateTensorValueFromMemory(Enumerable.Range(cached, length).Select(p => (long)p).ToArray(), [1, length]);
        return _decoder.Run(_runOptions, _decoderInputs, [embeds, mask, positions, .. pasts], _decoderOutputs);
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        // logits is [1, 1, vocab]: the last position only.
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }
}
