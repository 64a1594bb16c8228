using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// Runs a converted model folder through ONNX Runtime GenAI exactly as the runtime will: pixel values, the
/// feature-row index and the image-token count go in through SetModelInput, the expanded prompt through
/// AppendTokens, then greedy steps with GenAI's own KV cache.
/// </summary>
internal sealed class GenAiRun : IDisposable
{
    private readonly Model _model;
    private readonly GeneratorParams _parameters;
    private readonly Generator _generator;
    private readonly List<GCHandle> _pins = [];
    private readonly List<Tensor> _tensors = [];

    public GenAiRun(string modelDirectory, float[] pixelValues, int tiles, long[] featureIndex, long[] expandedPrompt, int maxNewTokens)
    {
        _model = new Model(modelDirectory);
        _parameters = new GeneratorParams(_model);
        _parameters.SetSearchOption("max_length", expandedPrompt.Length + maxNewTokens);
        _generator = new Generator(_model, _parameters);
        // fp16 models declare float16 pixel values; GenAI passes tensors through without casting.
        bool fp16 = ModelFormat.ModelManifest.FromJson(File.ReadAllText(Path.Combine(modelDirectory, ModelFormat.ModelManifest.FileName))).Precision == "fp16";
        if (fp16)
        {
            SetInput("pixel_values", pixelValues.Select(v => (Half)v).ToArray(), [tiles, 3, 336, 336], ElementType.float16);
        }
        else
        {
            SetInput("pixel_values", pixelValues, [tiles, 3, 336, 336], ElementType.float32);
        }

        SetInput("image_feature_index", featureIndex, [featureIndex.Length], ElementType.int64);
        SetInput("num_image_tokens", new long[] { featureIndex.Length }, [1], ElementType.int64);
        _generator.AppendTokens(expandedPrompt.Select(i => checked((int)i)).ToArray());
        PromptLength = expandedPrompt.Length;
    }

    public int PromptLength { get; }

    /// <summary>The logits GenAI holds for the last position.</summary>
    public float[] LastLogits()
    {
        using Tensor logits = _generator.GetOutput("logits");
        long[] shape = logits.Shape();
        ReadOnlySpan<float> all = logits.GetData<float>();
        int vocab = (int)shape[^1];
        return all[^vocab..].ToArray();
    }

    /// <summary>Picks the next token (greedy) and returns it.</summary>
    public int Step()
    {
        _generator.GenerateNextToken();
        return _generator.GetSequence(0)[^1];
    }

    public bool IsDone => _generator.IsDone();

    public void Dispose()
    {
        _generator.Dispose();
        _parameters.Dispose();
        _model.Dispose();
        foreach (Tensor tensor in _tensors)
        {
            tensor.Dispose();
        }

        foreach (GCHandle pin in _pins)
        {
            pin.Free();
        }
    }

    private void SetInput(string name, Array data, long[] shape, ElementType type)
    {
        // GenAI wraps our memory without copying: it stays pinned for the generator's lifetime.
        GCHandle pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        _pins.Add(pin);
        Tensor tensor = new(pin.AddrOfPinnedObject(), shape, type);
        _tensors.Add(tensor);
        _generator.SetModelInput(name, tensor);
    }
}
