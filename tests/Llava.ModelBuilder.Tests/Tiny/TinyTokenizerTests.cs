using System.Text.Json;
using Llava.TinyCheckpoints;

namespace Llava.ModelBuilder.Tests.Tiny;

[Collection(TinyCheckpointGroup.Name)]
public sealed class TinyTokenizerTests(TinyCheckpointSet tiny)
{
    public static TheoryData<string> Families => [.. TinyFamily.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Families))]
    public void Vocabulary_is_contiguous_with_byte_fallback_and_the_image_token_added_after_it(string name)
    {
        TinyFamily family = TinyFamily.FromName(name);
        using JsonDocument tokenizer = Read(name, "tokenizer.json");
        JsonElement model = tokenizer.RootElement.GetProperty("model");
        Dictionary<string, int> vocab = Vocab(model);
        Dictionary<int, string> added = tokenizer.RootElement.GetProperty("added_tokens").EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetInt32(), t => t.GetProperty("content").GetString()!);

        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        Assert.Equal("<unk>", model.GetProperty("unk_token").GetString());
        Assert.Equal(family.BaseVocabSize, vocab.Count);
        Assert.Equal(Enumerable.Range(0, family.BaseVocabSize), vocab.Values.Order());
        int firstByte = family.YiTokenizer ? 9 : 3;
        Assert.Equal(firstByte, vocab["<0x00>"]);
        Assert.Equal(firstByte + 255, vocab["<0xFF>"]);
        Assert.True(vocab.ContainsKey("▁"));
        Assert.Equal("<image>", added[family.ImageTokenId]);
        Assert.Equal(family.PadToken is null ? null : family.PadToken, added.GetValueOrDefault(family.ImageTokenId + 1));
        Assert.Equal(family.BosToken, added[family.BosTokenId]);
        Assert.Equal(family.EosToken, added[family.EosTokenId]);
        Assert.Equal("<unk>", added[0]);
        if (family.YiTokenizer)
        {
            Assert.Equal("<|im_start|>", added[6]);
            Assert.Equal("<|im_sep|>", added[8]);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Normalizer_and_decoder_are_llama_legacy_style(string name)
    {
        using JsonDocument tokenizer = Read(name, "tokenizer.json");
        JsonElement normalizers = tokenizer.RootElement.GetProperty("normalizer").GetProperty("normalizers");
        JsonElement decoders = tokenizer.RootElement.GetProperty("decoder").GetProperty("decoders");

        Assert.Equal("Prepend", normalizers[0].GetProperty("type").GetString());
        Assert.Equal("▁", normalizers[0].GetProperty("prepend").GetString());
        Assert.Equal("Replace", normalizers[1].GetProperty("type").GetString());
        Assert.Equal(" ", normalizers[1].GetProperty("pattern").GetProperty("String").GetString());
        Assert.Equal(JsonValueKind.Null, tokenizer.RootElement.GetProperty("pre_tokenizer").ValueKind);
        Assert.Equal(["Replace", "ByteFallback", "Fuse", "Strip"], decoders.EnumerateArray().Select(d => d.GetProperty("type").GetString()));
        Assert.Equal("▁", decoders[0].GetProperty("pattern").GetProperty("String").GetString());
        Assert.Equal(1, decoders[3].GetProperty("start").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Test_question_becomes_word_pieces_and_unknown_characters_fall_back_to_bytes(string name)
    {
        using JsonDocument tokenizer = Read(name, "tokenizer.json");
        JsonElement model = tokenizer.RootElement.GetProperty("model");
        string[] merges = [.. model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!)];
        Dictionary<string, int> vocab = Vocab(model);
        ReferenceBpe bpe = new(vocab, merges);

        // Normalized as the tokenizer's normalizer does: "▁" prepended, spaces replaced.
        List<string> question = bpe.Encode("▁What▁is▁shown▁in▁this▁image?");
        List<string> lineStart = bpe.Encode("▁\nDescribe▁the▁picture.");
        List<string> accented = bpe.Encode("▁café");

        Assert.Equal(["▁What", "▁is", "▁shown", "▁in", "▁this", "▁image", "?"], question);
        Assert.Equal(["▁", "<0x0A>", "Describe", "▁the", "▁picture", "."], lineStart);
        Assert.Equal(["▁ca", "f", "<0xC3>", "<0xA9>"], accented);
        Assert.All(merges, m => Assert.True(vocab.ContainsKey(m.Replace(" ", "", StringComparison.Ordinal)), m));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Tokenizer_config_names_the_llama_tokenizer_and_the_family_special_tokens(string name)
    {
        TinyFamily family = TinyFamily.FromName(name);
        using JsonDocument config = Read(name, "tokenizer_config.json");
        using JsonDocument tokenizer = Read(name, "tokenizer.json");
        using JsonDocument specialTokens = Read(name, "special_tokens_map.json");
        JsonElement root = config.RootElement;

        Assert.Equal("LlamaTokenizer", root.GetProperty("tokenizer_class").GetString());
        Assert.Equal(!family.YiTokenizer, root.GetProperty("add_bos_token").GetBoolean());
        Assert.Equal(family.BosToken, root.GetProperty("bos_token").GetString());
        Assert.Equal(family.EosToken, root.GetProperty("eos_token").GetString());
        Assert.Equal(family.PadToken ?? "<unk>", root.GetProperty("pad_token").GetString());
        Assert.Equal(family.ChatTemplate, root.GetProperty("chat_template").GetString());
        Assert.Equal("<image>", root.GetProperty("added_tokens_decoder").GetProperty(family.ImageTokenId.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("content").GetString());
        Assert.Equal(family.EosToken, specialTokens.RootElement.GetProperty("eos_token").GetProperty("content").GetString());
        // BOS is added by the post-processor only where the family has one (Yi has none).
        string single = tokenizer.RootElement.GetProperty("post_processor").GetProperty("single").GetRawText();
        Assert.Equal(!family.YiTokenizer, single.Contains("SpecialToken", StringComparison.Ordinal));
    }

    private JsonDocument Read(string family, string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(tiny.Folder(family), file)));

    private static Dictionary<string, int> Vocab(JsonElement model) =>
        model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
}
