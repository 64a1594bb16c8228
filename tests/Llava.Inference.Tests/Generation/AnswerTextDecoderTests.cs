using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Inference.Generation.Decoding;
using Llava.Testing;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Generation;

/// <summary>
/// Answer text from token ids, against Hugging Face tokenizers itself (tests/fixtures/decoding/answer_text.json,
/// made by its regenerate.cjs with the library transformers' fast tokenizers run) and corner by corner.
/// </summary>
public sealed class AnswerTextDecoderTests
{
    private const string Mistral = "llava-v1.6-mistral";

    public static TheoryData<string, string> ReferenceCases()
    {
        TheoryData<string, string> data = [];
        foreach (JsonElement c in ReferenceFile().RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("family").GetString()!, c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Decoding_equals_hugging_face_tokenizers_whole_and_streamed(string family, string name)
    {
        using JsonDocument reference = ReferenceFile();
        JsonElement c = reference.RootElement.GetProperty("cases").EnumerateArray()
            .Single(e => e.GetProperty("family").GetString() == family && e.GetProperty("name").GetString() == name);
        int[] ids = [.. c.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32())];
        string expected = c.GetProperty("text").GetString()!;
        string tokenizerJson = Path.Combine(TinyModels.Checkpoint(family), "tokenizer.json");
        Assert.True(
            reference.RootElement.GetProperty("tokenizers").GetProperty(family).GetString() == Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tokenizerJson))),
            $"the tiny {family} tokenizer changed since answer_text.json was made: rerun tests/fixtures/decoding/regenerate.cjs");
        TokenizerDecoding decoding = TokenizerDecoding.Load(tokenizerJson);

        Assert.Equal(expected, AnswerTextDecoder.DecodeAll(decoding, ids));
        Assert.Equal(expected, string.Concat(Streamed(decoding, ids)));
    }

    [Fact]
    public void The_space_before_the_first_word_is_dropped_and_later_ones_kept()
    {
        TokenizerDecoding decoding = Tiny(Mistral);

        Assert.Equal(["the", " cat", ""], Streamed(decoding, [Id(Mistral, "▁the"), Id(Mistral, "▁cat")]));
    }

    [Fact]
    public void A_character_split_across_byte_tokens_is_emitted_whole_when_its_run_ends()
    {
        TokenizerDecoding decoding = Tiny(Mistral);
        int[] ids = [Id(Mistral, "▁the"), Byte(Mistral, 0xC3), Byte(Mistral, 0xA9), Id(Mistral, "▁cat")];

        Assert.Equal(["the", "", "", "é cat", ""], Streamed(decoding, ids));
    }

    [Fact]
    public void An_invalid_byte_run_becomes_one_replacement_character_per_byte_and_the_next_word_survives()
    {
        // transformers (HF tokenizers' ByteFallback) gives "\uFFFD\uFFFD lists" for <0x52> <0xF3> ▁lists; the old
        // GenAI stream gave "Rsts".
        TokenizerDecoding decoding = Tiny(Mistral);
        int[] ids = [Byte(Mistral, 0x52), Byte(Mistral, 0xF3), Id(Mistral, "▁the")];

        Assert.Equal("\uFFFD\uFFFD the", AnswerTextDecoder.DecodeAll(decoding, ids));
    }

    [Fact]
    public void A_lone_invalid_lead_byte_is_one_replacement_character()
    {
        TokenizerDecoding decoding = Tiny(Mistral);

        Assert.Equal("the\uFFFD cat", AnswerTextDecoder.DecodeAll(decoding, [Id(Mistral, "▁the"), Byte(Mistral, 0xFF), Id(Mistral, "▁cat")]));
    }

    [Fact]
    public void A_sequence_truncated_at_the_end_comes_out_on_flush()
    {
        AnswerTextDecoder decoder = new(Tiny(Mistral));

        Assert.Equal("the", decoder.Decode(Id(Mistral, "▁the")));
        Assert.Equal("", decoder.Decode(Byte(Mistral, 0xF0)));
        Assert.Equal("", decoder.Decode(Byte(Mistral, 0x9F)));
        Assert.Equal("\uFFFD\uFFFD", decoder.Flush());
    }

    [Fact]
    public void An_emoji_split_across_four_byte_tokens_is_emitted_once_whole()
    {
        TokenizerDecoding decoding = Tiny(Mistral);
        int[] ids = [.. "🙂"u8.ToArray().Select(b => Byte(Mistral, b)), Id(Mistral, "▁the")];

        Assert.Equal(["", "", "", "", "🙂 the", ""], Streamed(decoding, ids));
    }

    [Fact]
    public void Special_tokens_and_ids_past_the_tokenizer_contribute_nothing()
    {
        TokenizerDecoding decoding = Tiny(Mistral);
        int[] ids = [1, Id(Mistral, "▁the"), 32000, Id(Mistral, "▁cat"), 32063, 2];

        Assert.Equal("the cat", AnswerTextDecoder.DecodeAll(decoding, ids));
    }

    [Fact]
    public void A_decoder_step_that_is_not_implemented_is_refused_rather_than_decoded_differently()
    {
        const string json = """{"added_tokens":[],"decoder":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always"},"model":{"type":"BPE","vocab":{"▁a":0}}}""";

        NotSupportedException error = Assert.Throws<NotSupportedException>(() => TokenizerDecoding.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains("Metaspace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_strip_of_trailing_characters_holds_them_until_text_follows()
    {
        const string json = """{"added_tokens":[],"decoder":{"type":"Sequence","decoders":[{"type":"Fuse"},{"type":"Strip","content":" ","start":0,"stop":1}]},"model":{"type":"BPE","vocab":{"a":0," ":1}}}""";
        TokenizerDecoding decoding = TokenizerDecoding.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(["a", "", "", "  a", ""], Streamed(decoding, [0, 1, 1, 0]));
        Assert.Equal("a  a ", AnswerTextDecoder.DecodeAll(decoding, [0, 1, 1, 0, 1, 1]));
    }

    /// <summary>Every delta, then the flush, as the engine emits them.</summary>
    private static string[] Streamed(TokenizerDecoding decoding, int[] ids)
    {
        AnswerTextDecoder decoder = new(decoding);
        return [.. ids.Select(decoder.Decode), decoder.Flush()];
    }

    private static TokenizerDecoding Tiny(string family) => TokenizerDecoding.Load(Path.Combine(TinyModels.Checkpoint(family), "tokenizer.json"));

    private static int Id(string family, string piece)
    {
        using JsonDocument tokenizer = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TinyModels.Checkpoint(family), "tokenizer.json")));
        return tokenizer.RootElement.GetProperty("model").GetProperty("vocab").GetProperty(piece).GetInt32();
    }

    private static int Byte(string family, byte value) => Id(family, $"<0x{value:X2}>");

    private static JsonDocument ReferenceFile() => JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "answer_text.json")));
}
