using Llava.ModelBuilder.Checkpoints;

namespace Llava.Reference;

/// <summary>
/// The Llama / Mistral / Yi causal language model as transformers v4.45.1 runs it with eager attention and
/// batch size 1: embedding lookup, decoder layers (RMSNorm, rotary q/k with HF's rotate-half layout,
/// grouped-query attention with a causal mask, SiLU-gated MLP), final RMSNorm and lm_head. It keeps a
/// <see cref="KeyValueCache"/> so that decoding steps reuse the prefill, as <c>generate</c> does.
/// </summary>
public sealed class LanguageModelReference
{
    private const string Prefix = "language_model.model";

    private readonly TextModelConfig _config;
    private readonly float[] _embedTokens;
    private readonly DecoderLayer[] _layers;
    private readonly float[] _finalNorm;
    private readonly float[] _lmHead;
    private readonly float[] _inverseFrequencies;

    private LanguageModelReference(ITensorSource source, TextModelConfig config)
    {
        _config = config;
        int hidden = config.HiddenSize;
        _embedTokens = ReferenceMath.Read(source, $"{Prefix}.embed_tokens.weight", config.VocabSize, hidden);
        _layers = new DecoderLayer[config.NumHiddenLayers];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new DecoderLayer(source, $"{Prefix}.layers.{i}", config);
        }

        _finalNorm = ReferenceMath.Read(source, $"{Prefix}.norm.weight", hidden);
        _lmHead = source.Contains("language_model.lm_head.weight") || !config.TieWordEmbeddings
            ? ReferenceMath.Read(source, "language_model.lm_head.weight", config.VocabSize, hidden)
            : _embedTokens;

        // inv_freq exactly as HF builds it in float32: 1 / base ** (float(2i) / dim).
        int half = config.HeadDim / 2;
        _inverseFrequencies = new float[half];
        for (int i = 0; i < half; i++)
        {
            float exponent = (float)(2 * i) / config.HeadDim;
            _inverseFrequencies[i] = 1.0f / MathF.Pow((float)config.RopeTheta, exponent);
        }

        Cache = new KeyValueCache(config.NumHiddenLayers, config.NumKeyValueHeads * config.HeadDim);
    }

    public TextModelConfig Config => _config;

    /// <summary>The state between <see cref="Prefill(float[], int)"/> and <see cref="DecodeStep"/>.</summary>
    public KeyValueCache Cache { get; }

    public static LanguageModelReference Load(ITensorSource source, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        return new LanguageModelReference(source, config.Text);
    }

    /// <summary><c>embed_tokens(input_ids)</c>: [ids, hidden].</summary>
    public float[] Embed(IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        int hidden = _config.HiddenSize;
        float[] embeds = new float[tokenIds.Count * hidden];
        for (int i = 0; i < tokenIds.Count; i++)
        {
            int id = tokenIds[i];
            if (id < 0 || id >= _config.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(tokenIds), $"Token id {id} at position {i} is outside the vocabulary of {_config.VocabSize}.");
            }

            _embedTokens.AsSpan(id * hidden, hidden).CopyTo(embeds.AsSpan(i * hidden));
        }

        return embeds;
    }

    /// <summary>Runs the whole sequence from an empty cache and returns logits for every row: [seqLen, vocab].</summary>
    public float[] Prefill(float[] inputsEmbeds, int seqLen) => Prefill(inputsEmbeds, seqLen, null);

    /// <summary>
    /// Runs the whole sequence from an empty cache; returns logits only for <paramref name="logitRows"/>
    /// (all rows when null), [rows, vocab]. The lm_head dominates the cost of long prompts, so tests ask
    /// only for the rows they compare.
    /// </summary>
    public float[] Prefill(float[] inputsEmbeds, int seqLen, IReadOnlyList<int>? logitRows)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        if (seqLen <= 0 || inputsEmbeds.Length != (long)seqLen * _config.HiddenSize)
        {
            throw new ArgumentException($"inputs_embeds has {inputsEmbeds.Length} floats, expected {seqLen}x{_config.HiddenSize}.", nameof(inputsEmbeds));
        }

        Cache.Clear();
        float[] hidden = Forward(inputsEmbeds, seqLen);
        IReadOnlyList<int> rows = logitRows ?? Enumerable.Range(0, seqLen).ToArray();
        return Logits(hidden, rows);
    }

    /// <summary>Feeds one token after what the cache holds and returns its logits: [vocab].</summary>
    public float[] DecodeStep(int tokenId)
    {
        if (Cache.Length == 0)
        {
            throw new InvalidOperationException("DecodeStep needs a prefill first.");
        }

        float[] hidden = Forward(Embed([tokenId]), 1);
        return Logits(hidden, [0]);
    }

    /// <summary>
    /// Greedy decoding as <c>generate(do_sample=False)</c>: step 0's logits are the prompt's last row, each
    /// chosen token is fed back through the cache. Stops after maxNewTokens, or after emitting a stop token
    /// (which is kept, as HF keeps the EOS).
    /// </summary>
    public GreedyGeneration GenerateGreedy(float[] inputsEmbeds, int seqLen, int maxNewTokens, IReadOnlyCollection<int>? stopTokenIds = null) =>
        ContinueGreedy(Prefill(inputsEmbeds, seqLen, [seqLen - 1]), maxNewTokens, stopTokenIds);

    /// <summary>
    /// Greedy decoding from the current cache, given the logits of the last position it holds (a prefill's
    /// last row). Lets a caller take several prompt rows and the generation from one prefill.
    /// </summary>
    public GreedyGeneration ContinueGreedy(float[] lastLogits, int maxNewTokens, IReadOnlyCollection<int>? stopTokenIds = null)
    {
        ArgumentNullException.ThrowIfNull(lastLogits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNewTokens);
        if (lastLogits.Length != _config.VocabSize)
        {
            throw new ArgumentException($"Expected one row of {_config.VocabSize} logits, got {lastLogits.Length} values.", nameof(lastLogits));
        }

        List<int> ids = [];
        List<float[]> steps = [];
        float[] logits = lastLogits;
        while (true)
        {
            int next = ReferenceMath.ArgMax(logits);
            ids.Add(next);
            steps.Add(logits);
            if (ids.Count == maxNewTokens || (stopTokenIds?.Contains(next) ?? false))
            {
                return new GreedyGeneration(ids, steps);
            }

            logits = DecodeStep(next);
        }
    }

    /// <summary>All decoder layers over rows that follow the cached positions; appends their keys/values.</summary>
    private float[] Forward(float[] x, int rows)
    {
        int hidden = _config.HiddenSize;
        int heads = _config.NumAttentionHeads;
        int kvHeads = _config.NumKeyValueHeads;
        int headDim = _config.HeadDim;
        int past = Cache.Length;
        x = (float[])x.Clone();
        for (int l = 0; l < _layers.Length; l++)
        {
            DecoderLayer layer = _layers[l];
            float[] h = ReferenceMath.RmsNorm(x, rows, hidden, layer.InputNorm, _config.RmsNormEps);
            float[] q = ReferenceMath.Linear(h, rows, hidden, layer.QWeight, heads * headDim, null);
            float[] k = ReferenceMath.Linear(h, rows, hidden, layer.KWeight, kvHeads * headDim, null);
            float[] v = ReferenceMath.Linear(h, rows, hidden, layer.VWeight, kvHeads * headDim, null);
            ApplyRotary(q, rows, heads, past);
            ApplyRotary(k, rows, kvHeads, past);
            Cache.Append(l, k, v, rows);
            float[] context = ReferenceMath.Attention(
                q, rows, Cache.Keys(l), Cache.Values(l), Cache.LayerLength(l), heads, kvHeads, headDim, 1.0 / Math.Sqrt(headDim), causalOffset: past);
            float[] attn = ReferenceMath.Linear(context, rows, heads * headDim, layer.OWeight, hidden, null);
            for (int i = 0; i < x.Length; i++)
            {
                x[i] += attn[i];
            }

            h = ReferenceMath.RmsNorm(x, rows, hidden, layer.PostAttentionNorm, _config.RmsNormEps);
            float[] gate = ReferenceMath.Linear(h, rows, hidden, layer.GateWeight, _config.IntermediateSize, null);
            float[] up = ReferenceMath.Linear(h, rows, hidden, layer.UpWeight, _config.IntermediateSize, null);
            for (int i = 0; i < gate.Length; i++)
            {
                gate[i] = ReferenceMath.Silu(gate[i]) * up[i];
            }

            float[] down = ReferenceMath.Linear(gate, rows, _config.IntermediateSize, layer.DownWeight, hidden, null);
            for (int i = 0; i < x.Length; i++)
            {
                x[i] += down[i];
            }
        }

        return x;
    }

    /// <summary>
    /// Rotary embedding in HF's layout: dimension i pairs with i + d/2 (rotate_half), angle pos * inv_freq[i mod d/2].
    /// cos/sin are computed in float32 from a float32 angle, as LlamaRotaryEmbedding does.
    /// </summary>
    private void ApplyRotary(float[] x, int rows, int heads, int startPosition)
    {
        int headDim = _config.HeadDim;
        int half = headDim / 2;
        Parallel.For(0, rows, r =>
        {
            float position = startPosition + r;
            Span<float> cos = stackalloc float[half];
            Span<float> sin = stackalloc float[half];
            for (int i = 0; i < half; i++)
            {
                float angle = _inverseFrequencies[i] * position;
                cos[i] = MathF.Cos(angle);
                sin[i] = MathF.Sin(angle);
            }

            for (int h = 0; h < heads; h++)
            {
                Span<float> v = x.AsSpan(((r * heads) + h) * headDim, headDim);
                for (int i = 0; i < half; i++)
                {
                    float a = v[i];
                    float b = v[i + half];
                    // q*cos + rotate_half(q)*sin, where rotate_half(q) = (-q2, q1).
                    v[i] = (a * cos[i]) + (-b * sin[i]);
                    v[i + half] = (b * cos[i]) + (a * sin[i]);
                }
            }
        });
    }

    /// <summary>Final norm and lm_head for the chosen rows of the last hidden state.</summary>
    private float[] Logits(float[] hidden, IReadOnlyList<int> rows)
    {
        int dim = _config.HiddenSize;
        float[] picked = new float[rows.Count * dim];
        for (int i = 0; i < rows.Count; i++)
        {
            hidden.AsSpan(rows[i] * dim, dim).CopyTo(picked.AsSpan(i * dim));
        }

        float[] normed = ReferenceMath.RmsNorm(picked, rows.Count, dim, _finalNorm, _config.RmsNormEps);
        return ReferenceMath.Linear(normed, rows.Count, dim, _lmHead, _config.VocabSize, null);
    }
}
