using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// The three graphs of a converted model folder driven directly through ONNX Runtime (no GenAI), with the KV
/// cache kept here the way GenAI keeps it. GroupQueryAttention decoders (no position_ids input) get
/// <c>past_present_share_buffer: true</c>: one zeroed [batch, kv_heads, max_length, head_dim] buffer per layer
/// and K/V, bound as both past input and present output of every call, which GQA fills in place. Plain graphs
/// get <c>false</c>: empty pasts [batch, kv_heads, 0, head_dim] first, then each call's presents; they also get
/// absolute position_ids. <c>attention_mask</c> is ones over every position so far.
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
    private readonly bool _sharedBuffer;
    private readonly bool _allPositionLogits;
    private int _maxLength;

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

        _sharedBuffer = !_decoder.InputMetadata.ContainsKey(DecoderGraphBuilder.PositionIds);
        _allPositionLogits = _decoder.OutputMetadata[DecoderGraphBuilder.Logits].Dimensions[1] != 1;
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

    /// <summary>True when the decoder uses GroupQueryAttention with a KV buffer shared by past and present.</summary>
    public bool SharedBuffer => _sharedBuffer;

    /// <summary>
    /// Drops the cache and starts <paramref name="batch"/> new sequences, as GenAI's first step: zeroed shared
    /// buffers of <paramref name="maxLength"/> positions (GenAI's search.max_length), or empty pasts.
    /// </summary>
    public void StartSequences(int batch, int maxLength = 3072)
    {
        ReleaseCache();
        Batch = batch;
        CachedLength = 0;
        _maxLength = maxLength;
        _past = new OrtValue[2 * _layers];
        for (int i = 0; i < _past.Length; i++)
        {
            if (_sharedBuffer)
            {
                _past[i] = OrtValue.CreateTensorValueFromMemory(new float[batch * _kvHeads * maxLength * _headDim], [batch, _kvHeads, maxLength, _headDim]);
            }
            else
            {
                _past[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, _kvHeads, 0, _headDim]);
            }
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
        if (_sharedBuffer)
        {
            if (total > _maxLength)
            {
                throw new InvalidOperationException($"{total} positions do not fit the {_maxLength}-position KV buffer.");
            }

            // Presents are bound to the past buffers themselves: GQA writes the new positions in place.
            float[] rows = new float[Batch * (_allPositionLogits ? seqLen : 1) * Vocab];
            using OrtValue logitsValue = OrtValue.CreateTensorValueFromMemory(rows, [Batch, _allPositionLogits ? seqLen : 1, Vocab]);
            _decoder.Run(_runOptions, _decoderInputs, [embeds, attentionMask, .. _past], _decoderOutputs, [logitsValue, .. _past]);
            CachedLength = total;
            return rows;
        }

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
