using System.Text.Json;

namespace Llava.Inference.Generation.Decoding;

/// <summary>
/// How a model's tokenizer turns token ids back into text, read from its <c>tokenizer.json</c> the way Hugging Face
/// tokenizers (and so transformers' <c>decode(ids, skip_special_tokens=True)</c>) uses it: special added tokens are
/// skipped, ids the tokenizer does not know (the padded rows of the embedding) give nothing, every other id's piece
/// goes through the decoder steps. Immutable and shared; each answer gets its own <see cref="AnswerTextDecoder"/>.
/// </summary>
/// <remarks>
/// Supported decoder steps: <c>Sequence</c>, <c>Replace</c> (literal pattern), <c>ByteFallback</c>, <c>Fuse</c>,
/// <c>Strip</c>, or no decoder at all. That covers every LLaVA tokenizer (Llama-2/Vicuna, Mistral, Yi: all
/// sentencepiece conversions with Replace, ByteFallback, Fuse, Strip). Anything else is refused when the model
/// loads rather than decoded differently from transformers.
/// </remarks>
public sealed class TokenizerDecoding
{
    private readonly string?[] _pieces;
    private readonly Func<IPieceStage>[] _stages;

    private TokenizerDecoding(string?[] pieces, Func<IPieceStage>[] stages)
    {
        _pieces = pieces;
        _stages = stages;
    }

    /// <summary>Reads a <c>tokenizer.json</c>.</summary>
    /// <exception cref="NotSupportedException">The decoder uses a step this runtime does not implement.</exception>
    /// <exception cref="InvalidDataException">The file is not a tokenizer.json.</exception>
    public static TokenizerDecoding Load(string tokenizerJsonPath)
    {
        using FileStream stream = File.OpenRead(tokenizerJsonPath);
        return Parse(stream);
    }

    /// <inheritdoc cref="Load"/>
    public static TokenizerDecoding Parse(Stream tokenizerJson)
    {
        using JsonDocument document = ParseDocument(tokenizerJson);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("model", out JsonElement model) || !model.TryGetProperty("vocab", out JsonElement vocab))
        {
            throw new InvalidDataException("tokenizer.json has no model.vocab.");
        }

        Dictionary<int, string?> byId = [];
        if (vocab.ValueKind == JsonValueKind.Object)
        {
            // BPE / WordPiece: piece -> id.
            foreach (JsonProperty entry in vocab.EnumerateObject())
            {
                byId[entry.Value.GetInt32()] = entry.Name;
            }
        }
        else if (vocab.ValueKind == JsonValueKind.Array)
        {
            // Unigram: [piece, score] in id order.
            int id = 0;
            foreach (JsonElement entry in vocab.EnumerateArray())
            {
                byId[id++] = entry[0].GetString();
            }
        }
        else
        {
            throw new InvalidDataException("tokenizer.json's model.vocab is neither an object nor an array.");
        }

        if (root.TryGetProperty("added_tokens", out JsonElement added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement token in added.EnumerateArray())
            {
                bool special = token.TryGetProperty("special", out JsonElement s) && s.ValueKind == JsonValueKind.True;
                // skip_special_tokens=True: a special token contributes nothing, not even to the decoder's context.
                byId[token.GetProperty("id").GetInt32()] = special ? null : token.GetProperty("content").GetString();
            }
        }

        string?[] pieces = new string?[byId.Count == 0 ? 0 : byId.Keys.Max() + 1];
        foreach ((int id, string? piece) in byId)
        {
            if (id >= 0)
            {
                pieces[id] = piece;
            }
        }

        List<Func<IPieceStage>> stages = [];
        if (!root.TryGetProperty("decoder", out JsonElement decoder) || decoder.ValueKind == JsonValueKind.Null)
        {
            stages.Add(static () => new JoinWithSpaceStage());
        }
        else
        {
            bool fused = false;
            AddSteps(decoder, stages, ref fused);
        }

        return new TokenizerDecoding(pieces, [.. stages]);
    }

    /// <summary>The piece an id contributes to the text, or null when it contributes nothing.</summary>
    internal string? PieceOf(int tokenId) => (uint)tokenId < (uint)_pieces.Length ? _pieces[tokenId] : null;

    internal IPieceStage[] CreateStages() => [.. _stages.Select(create => create())];

    private static JsonDocument ParseDocument(Stream stream)
    {
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("tokenizer.json is not valid JSON: " + ex.Message, ex);
        }
    }

    private static void AddSteps(JsonElement step, List<Func<IPieceStage>> stages, ref bool fused)
    {
        string type = step.GetProperty("type").GetString() ?? "";
        switch (type)
        {
            case "Sequence":
                foreach (JsonElement inner in step.GetProperty("decoders").EnumerateArray())
                {
                    AddSteps(inner, stages, ref fused);
                }

                break;
            case "Replace":
                if (!step.GetProperty("pattern").TryGetProperty("String", out JsonElement literal))
                {
                    throw new NotSupportedException("tokenizer.json's decoder has a Replace step with a regex pattern; only literal patterns are supported.");
                }

                string pattern = literal.GetString() ?? "";
                string content = step.GetProperty("content").GetString() ?? "";
                if (fused && pattern.Length != 1)
                {
                    // After Fuse the answer arrives in chunks; a longer pattern could straddle two of them.
                    throw new NotSupportedException("tokenizer.json's decoder replaces a multi-character pattern after Fuse; not supported.");
                }

                stages.Add(() => new ReplaceStage(pattern, content));
                break;
            case "ByteFallback":
                if (fused)
                {
                    throw new NotSupportedException("tokenizer.json's decoder has ByteFallback after Fuse; not supported.");
                }

                stages.Add(static () => new ByteFallbackStage());
                break;
            case "Fuse":
                // Concatenation is what the stream does anyway; what changes is that later steps see one piece.
                fused = true;
                break;
            case "Strip":
                string strip = step.GetProperty("content").GetString() ?? "";
                if (strip.Length != 1)
                {
                    throw new InvalidDataException("tokenizer.json's Strip decoder must name one character.");
                }

                int start = step.GetProperty("start").GetInt32();
                int stop = step.GetProperty("stop").GetInt32();
                bool wholeAnswer = fused;
                stages.Add(() => new StripStage(strip[0], start, stop, wholeAnswer));
                break;
            default:
                throw new NotSupportedException($"tokenizer.json's decoder uses a '{type}' step; answers can only be decoded exactly for Sequence, Replace, ByteFallback, Fuse and Strip.");
        }
    }
}
