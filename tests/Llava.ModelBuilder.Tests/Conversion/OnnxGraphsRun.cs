using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// The three graphs of a converted model folder driven directly through ONNX Runtime (no GenAI), with the KV
/// cache kept here the way GenAI keeps it (<c>past_present_share_buffer: false</c>): the first decoder call gets
/// empty past tensors [batch, kv_heads, 0, head_dim], every later call the previous call's present tensors;
/// <c>attention_mask</c> is ones over every position so far and <c>position_ids</c> are absolute positions.
/// </summary>
internal sealed class OnnxGraphsRun : IDisposable
{
    private readonly InferenceSession _vision;
    private readonly InferenceSession _embedding;
    private readonly InferenceSession _decoder;
    private readonly RunOptions _runOptions = new();
    private readonly long[] _tileShape;
    private readonly int _layers;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly string[] _decoderInputs;
    private readonly string[] _decoderOutputs;

    /// <summary>The decoder's present tensors from the last call (owned by <see cref="_presentOwner"/>), or empty pasts.</summary>
    private OrtValue[] _past = [];
    private IDisposableReadOnlyCollection<OrtValue>? _presentOwner;

    public OnnxGraphsRun(string modelDirectory)
    {
        _vision = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Vision));
        _embedding = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Embedding));
        _decoder = new InferenceSession(Path.Combine(modelDirectory, ModelFolderLayout.Decoder));

        // Shapes come from the graphs' own declarations: [-1, 3, 336, 336], [-1, kv, -1, hd], [-1, -1, vocab].
        _tileShape = [.. _vision.InputMetadata[VisionGraphBuilder.PixelValues].Dimensions.Skip(1).Select(d => (long)d)];
        _layers = _decoder.InputMetadata.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal)) / 2;
        int[] pastShape = _decoder.InputMetadata[DecoderGraphBuilder.Name(DecoderGraphBuilder.PastKeyFormat, 0)].Dimensions;
        _kvHeads = pastShape[1];
        _headDim = pastShape[3];
        Hidden = _decoder.InputMetadata[DecoderGraphBuilder.InputsEmbeds].Dimensions[2];
        Vocab = _decoder.OutputMetadata[DecoderGraphBuilder.Logits].Dimensions[2];

        List<string> inputs = [DecoderGraphBuilder.InputsEmbeds, DecoderGraphBuilder.AttentionMask, DecoderGraphBuilder.PositionIds];
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

    public int Hidden { get; }

    public int Vocab { get; }

    /// <summary>Sequences in the current batch (set by <see cref="StartSequences"/>).</summary>
    public int Batch { get; private set; }

    /// <summary>Positions the KV cache holds.</summary>
    public int CachedLength { get; private set; }

    /// <summary>vision.onnx: [tiles, 3, 336, 336] pixels and the feature-row index -> [rows, hidden].</summary>
    public float[] ImageFeatures(float[] pixelValues, int tiles, long[] featureIndex)
    {
        using OrtValue pixels = Tensor(pixelValues, [tiles, .. _tileShape]);
        using OrtValue index = OrtValue.CreateTensorValueFromMemory(featureIndex, [featureIndex.Length]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = _vision.Run(
            _runOptions, [VisionGraphBuilder.PixelValues, VisionGraphBuilder.FeatureIndex], [pixels, index], [VisionGraphBuilder.ImageFeatures]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>embedding.onnx: input ids [batch, ids / batch] and image features [rows, hidden] (rows may be 0) -> inputs_embeds.</summary>
    public float[] Embed(long[] inputIds, int batch, float[] imageFeatures)
    {
        using OrtValue ids = OrtValue.CreateTensorValueFromMemory(inputIds, [batch, inputIds.Length / batch]);
        using OrtValue features = Tensor(imageFeatures, [imageFeatures.Length / Hidden, Hidden]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = _embedding.Run(
            _runOptions, [EmbeddingGraphBuilder.InputIds, EmbeddingGraphBuilder.ImageFeatures], [ids, features], [EmbeddingGraphBuilder.InputsEmbeds]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Drops the cache and starts <paramref name="batch"/> new sequences: empty past tensors, as GenAI's first step.</summary>
    public void StartSequences(int batch)
    {
        ReleaseCache();
        Batch = batch;
        CachedLength = 0;
        _past = new OrtValue[2 * _layers];
        for (int i = 0; i < _past.Length; i++)
        {
            _past[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, _kvHeads, 0, _headDim]);
        }
    }

    /// <summary>
    /// decoder.onnx on <paramref name="seqLen"/> new positions per sequence after the cached ones: logits
    /// [batch, rows, vocab] (rows = seqLen for an all-position-logits model, else 1). The presents become the next past.
    /// </summary>
    public float[] Decode(float[] inputsEmbeds, int seqLen)
    {
        if (_past.Length == 0)
        {
            throw new InvalidOperationException("StartSequences first.");
        }

        int total = CachedLength + seqLen;
        long[] mask = new long[Batch * total];
        Array.Fill(mask, 1L);
        long[] positions = new long[Batch * seqLen];
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i] = CachedLength + (i % seqLen);
        }

        using OrtValue embeds = Tensor(inputsEmbeds, [Batch, seqLen, Hidden]);
        using OrtValue attentionMask = OrtValue.CreateTensorValueFromMemory(mask, [Batch, total]);
        using OrtValue positionIds = OrtValue.CreateTensorValueFromMemory(positions, [Batch, seqLen]);
        IDisposableReadOnlyCollection<OrtValue> outputs = _decoder.Run(_runOptions, _decoderInputs, [embeds, attentionMask, positionIds, .. _past], _decoderOutputs);
        float[] logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        ReleaseCache();
        _past = [.. outputs.Skip(1)];
        _presentOwner = outputs;
        CachedLength = total;
        return logits;
    }

    /// <summary>One generation step: the embedding graph on the ids (with these image features), then the decoder.</summary>
    public float[] Step(long[] inputIds, float[] imageFeatures) =>
        Decode(Embed(inputIds, Batch, imageFeatures), inputIds.Length / Batch);

    public void Dispose()
    {
        ReleaseCache();
        _decoder.Dispose();
        _embedding.Dispose();
        _vision.Dispose();
        _runOptions.Dispose();
    }

    private void ReleaseCache()
    {
        if (_presentOwner is null)
        {
            foreach (OrtValue empty in _past)
            {
                empty.Dispose();
            }
        }
        else
        {
            _presentOwner.Dispose();
            _presentOwner = null;
        }

        _past = [];
    }

    /// <summary>A float tensor over managed memory; a zero-sized one (no image rows) is allocated by ONNX Runtime.</summary>
    private static OrtValue Tensor(float[] data, long[] shape) =>
        data.Length == 0
            ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape)
            : OrtValue.CreateTensorValueFromMemory(data, shape);
}
