using System.Globalization;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.TinyCheckpoints;

/// <summary>
/// Writes a deterministic random checkpoint of a LLaVA family with the llava-hf repository's file set: config.json
/// (diff style), weights with llava-hf tensor names, generation/processor/preprocessor configs, chat template and a
/// Llama-style BPE tokenizer. Same family, options and seed give byte-identical files. Real geometry (CLIP 336 px,
/// patch 14, feature layer -2, anyres pinpoints) with tiny widths, so the reference implementation runs it in seconds.
/// </summary>
public static class TinyCheckpointGenerator
{
    private const int ChunkElements = 1 << 16;

    /// <summary>
    /// Twelve hex digits that change whenever this generator's code or the model builder's does: the key under
    /// which callers cache generated checkpoints and the folders converted from them, so no cache outlives either.
    /// </summary>
    public static string CodeKey { get; } =
        ModuleKey(typeof(TinyCheckpointGenerator)) + ModuleKey(typeof(LlavaModelConverter));

    /// <summary>Writes the checkpoint into <paramref name="outDir"/> (created; stale weight files removed). Returns the file names written.</summary>
    public static IReadOnlyList<string> Write(TinyFamily family, string outDir, TinyCheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        options ??= new TinyCheckpointOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Shards, 1, nameof(options));
        if (!(options.QkGain > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.QkGain, "QkGain must be positive.");
        }

        Directory.CreateDirectory(outDir);
        foreach (string stale in Directory.EnumerateFiles(outDir, "model*.safetensors*"))
        {
            // A previous run's shards or index must not be mixed with this one.
            File.Delete(stale);
        }

        IReadOnlyList<TinyParameter> parameters = Parameters(family, options.Size, options.DType);
        List<string> written = [.. WriteWeights(parameters, outDir, options, options.Seed ?? family.Seed)];

        TinyJson.Write(Path.Combine(outDir, "config.json"), TinyConfigFiles.Config(family, options.Size, options.DType));
        TinyJson.Write(Path.Combine(outDir, "generation_config.json"), TinyConfigFiles.GenerationConfig(family));
        TinyJson.Write(Path.Combine(outDir, "preprocessor_config.json"), TinyConfigFiles.PreprocessorConfig(family));
        TinyJson.Write(Path.Combine(outDir, "processor_config.json"), TinyConfigFiles.ProcessorConfig(family));
        TinyJson.Write(Path.Combine(outDir, "chat_template.json"), TinyConfigFiles.ChatTemplate(family));
        TinyTokenizer.WriteFiles(family, outDir);
        written.AddRange(["config.json", "generation_config.json", "preprocessor_config.json", "processor_config.json",
            "chat_template.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"]);
        return written;
    }

    /// <summary>Every parameter of the HF model, in make_tiny_hf.py's order, with llava-hf names.</summary>
    internal static IReadOnlyList<TinyParameter> Parameters(TinyFamily family, TinyModelSize size, SafetensorsDType dtype)
    {
        LlavaTensorNames names = LlavaTensorNames.ForLayout(LlavaTensorLayout.LlavaHf);
        long vh = size.VisionHiddenSize;
        long vi = size.VisionIntermediateSize;
        const long Patch = 14;
        long positions = (336 / Patch * (336 / Patch)) + 1;
        long th = size.TextHiddenSize;
        long ti = size.TextIntermediateSize;
        long vocab = family.VocabSize;
        long headDim = th / size.TextHeads;
        long kvDim = headDim * (family.GroupedQueryAttention ? size.TextGroupedKeyValueHeads : size.TextHeads);

        List<TinyParameter> list = [];
        void Add(string name, TinyInitKind kind, params long[] shape) => list.Add(new TinyParameter(new TensorSpec(name, dtype, shape), kind));

        Add(names.VisionClassEmbedding, TinyInitKind.Embedding, vh);
        Add(names.VisionPatchEmbedding, TinyInitKind.Linear, vh, 3, Patch, Patch);
        Add(names.VisionPositionEmbedding, TinyInitKind.Embedding, positions, vh);
        Add(names.VisionPreLayerNorm + ".weight", TinyInitKind.NormWeight, vh);
        Add(names.VisionPreLayerNorm + ".bias", TinyInitKind.Bias, vh);
        for (int i = 0; i < size.VisionLayers; i++)
        {
            string p = names.VisionLayer(i);
            foreach (string proj in (string[])["q_proj", "k_proj", "v_proj", "out_proj"])
            {
                Add(p + $"self_attn.{proj}.weight", proj is "q_proj" or "k_proj" ? TinyInitKind.QueryKey : TinyInitKind.Linear, vh, vh);
                Add(p + $"self_attn.{proj}.bias", TinyInitKind.Bias, vh);
            }

            Add(p + "layer_norm1.weight", TinyInitKind.NormWeight, vh);
            Add(p + "layer_norm1.bias", TinyInitKind.Bias, vh);
            Add(p + "mlp.fc1.weight", TinyInitKind.Linear, vi, vh);
            Add(p + "mlp.fc1.bias", TinyInitKind.Bias, vi);
            Add(p + "mlp.fc2.weight", TinyInitKind.Linear, vh, vi);
            Add(p + "mlp.fc2.bias", TinyInitKind.Bias, vh);
            Add(p + "layer_norm2.weight", TinyInitKind.NormWeight, vh);
            Add(p + "layer_norm2.bias", TinyInitKind.Bias, vh);
        }

        // Not used by LLaVA (features come from hidden_states[-2]) but part of the HF model's state dict.
        Add("vision_tower.vision_model.post_layernorm.weight", TinyInitKind.NormWeight, vh);
        Add("vision_tower.vision_model.post_layernorm.bias", TinyInitKind.Bias, vh);
        Add(names.ProjectorLinear1 + ".weight", TinyInitKind.Linear, th, vh);
        Add(names.ProjectorLinear1 + ".bias", TinyInitKind.Bias, th);
        Add(names.ProjectorLinear2 + ".weight", TinyInitKind.Linear, th, th);
        Add(names.ProjectorLinear2 + ".bias", TinyInitKind.Bias, th);
        if (family.Architecture == LlavaArchitecture.LlavaNext)
        {
            Add(names.ImageNewline, TinyInitKind.Embedding, th);
        }

        Add(names.EmbedTokens, TinyInitKind.Embedding, vocab, th);
        for (int i = 0; i < size.TextLayers; i++)
        {
            string p = names.TextLayer(i);
            Add(p + "self_attn.q_proj.weight", TinyInitKind.QueryKey, th, th);
            Add(p + "self_attn.k_proj.weight", TinyInitKind.QueryKey, kvDim, th);
            Add(p + "self_attn.v_proj.weight", TinyInitKind.Linear, kvDim, th);
            Add(p + "self_attn.o_proj.weight", TinyInitKind.Linear, th, th);
            Add(p + "mlp.gate_proj.weight", TinyInitKind.Linear, ti, th);
            Add(p + "mlp.up_proj.weight", TinyInitKind.Linear, ti, th);
            Add(p + "mlp.down_proj.weight", TinyInitKind.Linear, th, ti);
            Add(p + "input_layernorm.weight", TinyInitKind.NormWeight, th);
            Add(p + "post_attention_layernorm.weight", TinyInitKind.NormWeight, th);
        }

        Add(names.FinalNorm, TinyInitKind.NormWeight, th);
        Add(names.StoredLmHead, TinyInitKind.Linear, vocab, th);
        return list;
    }

    private static IReadOnlyList<string> WriteWeights(IReadOnlyList<TinyParameter> parameters, string outDir, TinyCheckpointOptions options, ulong seed)
    {
        Dictionary<string, TinyParameter> byName = parameters.ToDictionary(p => p.Spec.Name, StringComparer.Ordinal);
        TensorSpec[] specs = [.. parameters.Select(p => p.Spec)];
        Dictionary<string, string> metadata = new()
        {
            ["format"] = "pt",
            // The name it had when the golden fixtures' checkpoints were written: it is part of every checkpoint's bytes.
            ["generator"] = "Llava.ModelBuilder.Tiny.TinyCheckpointGenerator",
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        };

        // One generator for the whole file set, drawn in tensor order: dtype and sharding never change the values.
        DeterministicRandom random = new(seed);
        float[] chunk = new float[ChunkElements];
        void Generate(TensorSpec spec, TensorDataSink sink)
        {
            TinyParameter parameter = byName[spec.Name];
            double scale = parameter.Kind switch
            {
                TinyInitKind.Linear => 1.0 / Math.Sqrt(parameter.FanIn),
                TinyInitKind.QueryKey => options.QkGain / Math.Sqrt(parameter.FanIn),
                TinyInitKind.Embedding => 1.0,
                _ => 0.1,
            };
            double offset = parameter.Kind == TinyInitKind.NormWeight ? 1.0 : 0.0;
            while (sink.Remaining > 0)
            {
                int n = (int)Math.Min(chunk.Length, sink.Remaining);
                for (int i = 0; i < n; i++)
                {
                    chunk[i] = (float)(offset + (scale * random.NextNormal()));
                }

                sink.Write(chunk.AsSpan(0, n));
            }
        }

        if (options.Shards == 1)
        {
            SafetensorsWriter.Write(Path.Combine(outDir, SafetensorsCheckpoint.SingleFileName), specs, Generate, metadata);
            return [SafetensorsCheckpoint.SingleFileName];
        }

        return SafetensorsWriter.WriteSharded(outDir, specs, options.Shards, Generate, metadata);
    }

    private static string ModuleKey(Type type) => type.Assembly.ManifestModule.ModuleVersionId.ToString("N")[..6];
}
