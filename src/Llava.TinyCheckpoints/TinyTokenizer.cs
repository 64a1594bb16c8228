using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llava.TinyCheckpoints;

/// <summary>
/// A small Llama-style (sentencepiece-converted) BPE tokenizer in llava-hf's tokenizer.json layout: byte fallback,
/// <c>▁</c> for spaces (Prepend + Replace normalizer, legacy), the Llama decoder sequence, and merges for a fixed
/// list of common English words so prompts tokenize into word pieces rather than letters. Ids are contiguous up to
/// the base vocabulary (filler pieces no merge can reach), then <c>&lt;image&gt;</c> (and <c>&lt;pad&gt;</c>) as added tokens.
/// </summary>
internal static class TinyTokenizer
{
    /// <summary>llama2 / vicuna / mistral tokenizer_config <c>model_max_length</c>: transformers' VERY_LARGE_INTEGER as saved.</summary>
    private const string VeryLargeInteger = "1000000000000000019884624838656";

    private const string Space = "▁";

    /// <summary>Yi's special pieces at ids 0-8 (3-5 as in Yi's tokenizer; 6-8 ChatML).</summary>
    private static readonly string[] s_yiSpecials =
        ["<unk>", "<|startoftext|>", "<|endoftext|>", "<|Human|>", "<|Assistant|>", "<|System|>", "<|im_start|>", "<|im_end|>", "<|im_sep|>"];

    private static readonly string[] s_llamaSpecials = ["<unk>", "<s>", "</s>"];

    private const string Punctuation = ".,?!:;'\"-_()[]/|<>=+*&%$#@`~{}\\^";

    /// <summary>Words of the LLaVA templates, system prompts and typical VQA questions and answers.</summary>
    private static readonly string[] s_words =
    [
        "what", "is", "shown", "in", "this", "image", "describe", "the", "picture", "photo", "answer", "question",
        "questions", "using", "single", "word", "or", "phrase", "a", "an", "chat", "between", "curious", "human",
        "and", "artificial", "intelligence", "assistant", "gives", "helpful", "detailed", "polite", "answers", "to",
        "user", "system", "USER", "ASSISTANT", "INST", "SYS", "you", "are", "of", "it", "there", "how", "many",
        "color", "colors", "does", "do", "can", "see", "here", "people", "person", "man", "woman", "men", "women",
        "cat", "dog", "car", "bus", "street", "sign", "red", "blue", "green", "yellow", "white", "black", "brown",
        "orange", "one", "two", "three", "four", "yes", "no", "on", "with", "at", "for", "from", "by", "left",
        "right", "top", "bottom", "front", "back", "side", "table", "room", "sky", "water", "tree", "trees",
        "building", "food", "plate", "text", "written", "say", "says", "wearing", "holding", "sitting", "standing",
        "playing", "rocket", "coffee", "cup", "astronaut", "space", "suit", "flag", "motorcycle", "sun", "day",
        "night", "small", "large", "big", "very", "be", "has", "have", "that", "which", "where", "who", "why",
    ];

    public static (List<string> Vocab, List<(string Left, string Right)> Merges) BuildModel(TinyFamily family)
    {
        List<string> vocab = [.. family.YiTokenizer ? s_yiSpecials : s_llamaSpecials];
        for (int b = 0; b < 256; b++)
        {
            vocab.Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
        }

        HashSet<string> known = [.. vocab];
        void AddPiece(string piece)
        {
            if (known.Add(piece))
            {
                vocab.Add(piece);
            }
        }

        AddPiece(Space);
        foreach (char c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + Punctuation)
        {
            AddPiece(c.ToString());
        }

        List<(string, string)> merges = [];
        HashSet<(string, string)> mergeSet = [];
        void Chain(string first, string rest)
        {
            // Left-growing merges (w, h), (wh, a), (wha, t): every prefix is a piece, so BPE grows a word greedily.
            string current = first;
            foreach (char c in rest)
            {
                string next = current + c;
                if (mergeSet.Add((current, c.ToString())))
                {
                    merges.Add((current, c.ToString()));
                }

                AddPiece(next);
                current = next;
            }
        }

        List<string> variants = [];
        foreach (string word in s_words)
        {
            variants.Add(word);
            string capitalized = char.ToUpperInvariant(word[0]) + word[1..];
            if (capitalized != word)
            {
                variants.Add(capitalized);
            }
        }

        // Space-led words rank first, so they finish growing before any mid-text merge can split them.
        foreach (string variant in variants)
        {
            Chain(Space, variant);
        }

        // Capitalised words without the space: they follow a newline byte at the start of a line ("\nWhat").
        foreach (string variant in variants.Where(v => char.IsUpper(v[0])))
        {
            Chain(variant[..1], variant[1..]);
        }

        if (vocab.Count > family.BaseVocabSize)
        {
            throw new InvalidOperationException($"The tiny tokenizer has {vocab.Count} pieces, more than the base vocabulary {family.BaseVocabSize}.");
        }

        // Filler pieces keep ids contiguous up to the base vocabulary; no merge produces them.
        for (int id = vocab.Count; id < family.BaseVocabSize; id++)
        {
            vocab.Add(string.Create(CultureInfo.InvariantCulture, $"{Space}tok{id}"));
        }

        return (vocab, merges);
    }

    /// <summary>The added tokens: specials at their vocab ids, then &lt;image&gt; (and &lt;pad&gt;) after the base vocabulary.</summary>
    public static List<(int Id, string Content, bool Special)> AddedTokens(TinyFamily family)
    {
        List<(int, string, bool)> added = family.YiTokenizer
            ? [(0, "<unk>", true), (1, "<|startoftext|>", true), (2, "<|endoftext|>", true), (6, "<|im_start|>", false), (7, "<|im_end|>", true), (8, "<|im_sep|>", false)]
            : [(0, "<unk>", true), (1, "<s>", true), (2, "</s>", true)];
        added.Add((family.ImageTokenId, "<image>", true));
        if (family.PadToken is string pad)
        {
            added.Add((family.PadTokenId, pad, true));
        }

        return added;
    }

    public static void WriteFiles(TinyFamily family, string directory)
    {
        (List<string> vocab, List<(string Left, string Right)> merges) = BuildModel(family);
        List<(int Id, string Content, bool Special)> added = AddedTokens(family);
        WriteTokenizerJson(family, Path.Combine(directory, "tokenizer.json"), vocab, merges, added);
        TinyJson.Write(Path.Combine(directory, "tokenizer_config.json"), TokenizerConfig(family, added));
        TinyJson.Write(Path.Combine(directory, "special_tokens_map.json"), SpecialTokensMap(family));
        JsonObject addedJson = [];
        foreach ((int id, string content, _) in added.Where(a => a.Id >= family.BaseVocabSize))
        {
            addedJson[content] = id;
        }

        TinyJson.Write(Path.Combine(directory, "added_tokens.json"), addedJson);
    }

    private static void WriteTokenizerJson(TinyFamily family, string path, List<string> vocab, List<(string Left, string Right)> merges, List<(int Id, string Content, bool Special)> added)
    {
        using FileStream stream = new(path, FileMode.Create, FileAccess.Write);
        using Utf8JsonWriter json = new(stream, TinyJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach ((int id, string content, bool special) in added)
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", content);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", special);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        // Llama's legacy sentencepiece conversion: "▁" before every segment, spaces become "▁", no pre-tokenizer.
        json.WriteStartObject("normalizer");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("normalizers");
        json.WriteStartObject();
        json.WriteString("type", "Prepend");
        json.WriteString("prepend", Space);
        json.WriteEndObject();
        WriteReplace(json, " ", Space);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNull("pre_tokenizer");

        json.WriteStartObject("post_processor");
        json.WriteString("type", "TemplateProcessing");
        bool bos = !family.YiTokenizer;
        json.WriteStartArray("single");
        if (bos)
        {
            WriteSpecialPiece(json, family.BosToken, 0);
        }

        WriteSequencePiece(json, "A", 0);
        json.WriteEndArray();
        json.WriteStartArray("pair");
        if (bos)
        {
            WriteSpecialPiece(json, family.BosToken, 0);
        }

        WriteSequencePiece(json, "A", 0);
        if (bos)
        {
            WriteSpecialPiece(json, family.BosToken, 1);
        }

        WriteSequencePiece(json, "B", 1);
        json.WriteEndArray();
        json.WriteStartObject("special_tokens");
        if (bos)
        {
            json.WriteStartObject(family.BosToken);
            json.WriteString("id", family.BosToken);
            json.WriteStartArray("ids");
            json.WriteNumberValue(family.BosTokenId);
            json.WriteEndArray();
            json.WriteStartArray("tokens");
            json.WriteStringValue(family.BosToken);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();

        // The Replace("▁" -> " ") step is what makes ONNX Runtime GenAI's tokenizer use its Llama mode.
        json.WriteStartObject("decoder");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("decoders");
        WriteReplace(json, Space, " ");
        json.WriteStartObject();
        json.WriteString("type", "ByteFallback");
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type", "Fuse");
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type", "Strip");
        json.WriteString("content", " ");
        json.WriteNumber("start", 1);
        json.WriteNumber("stop", 0);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteString("unk_token", "<unk>");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", true);
        json.WriteBoolean("byte_fallback", true);
        json.WriteStartObject("vocab");
        for (int id = 0; id < vocab.Count; id++)
        {
            json.WriteNumber(vocab[id], id);
        }

        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach ((string left, string right) in merges)
        {
            json.WriteStringValue(left + " " + right);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static JsonObject TokenizerConfig(TinyFamily family, List<(int Id, string Content, bool Special)> added)
    {
        JsonObject decoder = [];
        foreach ((int id, string content, bool special) in added)
        {
            decoder[id.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = content,
                ["lstrip"] = false,
                ["normalized"] = false,
                ["rstrip"] = false,
                ["single_word"] = false,
                ["special"] = special,
            };
        }

        JsonObject config = new()
        {
            ["add_bos_token"] = !family.YiTokenizer,
            ["add_eos_token"] = false,
            ["added_tokens_decoder"] = decoder,
        };
        if (family.YiTokenizer)
        {
            config["additional_special_tokens"] = new JsonArray("<image>");
        }

        config["bos_token"] = family.BosToken;
        config["chat_template"] = family.ChatTemplate;
        config["clean_up_tokenization_spaces"] = false;
        config["eos_token"] = family.EosToken;
        config["legacy"] = family.LegacyTokenizer;
        config["model_max_length"] = family.YiTokenizer ? JsonValue.Create(4096) : TinyJson.RawNumber(VeryLargeInteger);
        config["pad_token"] = family.PadToken ?? "<unk>";
        config["padding_side"] = "left";
        config["processor_class"] = TinyConfigFiles.ProcessorClass(family);
        config["sp_model_kwargs"] = new JsonObject();
        config["spaces_between_special_tokens"] = false;
        config["tokenizer_class"] = "LlamaTokenizer";
        config["trust_remote_code"] = false;
        config["unk_token"] = "<unk>";
        config["use_default_system_prompt"] = false;
        return config;
    }

    private static JsonObject SpecialTokensMap(TinyFamily family)
    {
        JsonObject map = [];
        if (family.YiTokenizer)
        {
            map["additional_special_tokens"] = new JsonArray(TokenEntry("<image>"));
        }

        map["bos_token"] = TokenEntry(family.BosToken);
        map["eos_token"] = TokenEntry(family.EosToken);
        map["pad_token"] = TokenEntry(family.PadToken ?? "<unk>");
        map["unk_token"] = TokenEntry("<unk>");
        return map;
    }

    private static JsonObject TokenEntry(string content) => new()
    {
        ["content"] = content,
        ["lstrip"] = false,
        ["normalized"] = false,
        ["rstrip"] = false,
        ["single_word"] = false,
    };

    private static void WriteReplace(Utf8JsonWriter json, string from, string to)
    {
        json.WriteStartObject();
        json.WriteString("type", "Replace");
        json.WriteStartObject("pattern");
        json.WriteString("String", from);
        json.WriteEndObject();
        json.WriteString("content", to);
        json.WriteEndObject();
    }

    private static void WriteSpecialPiece(Utf8JsonWriter json, string token, int typeId)
    {
        json.WriteStartObject();
        json.WriteStartObject("SpecialToken");
        json.WriteString("id", token);
        json.WriteNumber("type_id", typeId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSequencePiece(Utf8JsonWriter json, string id, int typeId)
    {
        json.WriteStartObject();
        json.WriteStartObject("Sequence");
        json.WriteString("id", id);
        json.WriteNumber("type_id", typeId);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
