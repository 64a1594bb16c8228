using System.Text.Json;
using Llava.Inference.Batching;
using Llava.Inference.Generation;
using Llava.Inference.Generation.Decoding;
using Llava.Testing.Models;

namespace Llava.Inference.Tests.Batching;

/// <summary>One row's answer, token by token: its text, and its own end independent of its batch.</summary>
public sealed class AnswerAssemblerTests
{
    private const string Family = "llava-v1.6-mistral";
    private const int EndOfTurn = 2;

    private static readonly Lazy<(TokenizerDecoding Decoding, JsonDocument Tokenizer)> s_tokenizer = new(() =>
    {
        string path = Path.Combine(TinyModels.Checkpoint(Family), "tokenizer.json");
        return (TokenizerDecoding.Load(path), JsonDocument.Parse(File.ReadAllBytes(path)));
    });

    [Fact]
    public void Text_arrives_as_tokens_are_pushed_and_the_answer_ends_at_its_token_budget()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 3);

        Assert.Equal("the", answer.Push(Id("▁the")));
        Assert.Equal(" cat", answer.Push(Id("▁cat")));
        Assert.False(answer.Finished);
        Assert.Equal(" is", answer.Push(Id("▁is")));

        Assert.True(answer.Finished);
        Assert.Equal(FinishReason.Length, answer.Reason);
        Assert.Equal("", answer.Complete());
        Assert.Equal("the cat is", answer.Text);
        Assert.Equal([Id("▁the"), Id("▁cat"), Id("▁is")], answer.Generated);
    }

    [Fact]
    public void An_end_of_turn_token_ends_the_answer_is_counted_and_adds_no_text()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 10);

        answer.Push(Id("▁the"));
        Assert.Equal("", answer.Push(EndOfTurn));

        Assert.True(answer.Finished);
        Assert.Equal(FinishReason.EndOfTurn, answer.Reason);
        Assert.Equal("the", answer.Text);
        Assert.Equal(2, answer.Generated.Count);
    }

    [Fact]
    public void A_stop_sequence_ends_the_answer_and_is_left_out_of_it()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 10, stops: [" cat"]);

        answer.Push(Id("▁the"));
        answer.Push(Id("▁cat"));

        Assert.True(answer.Finished);
        Assert.Equal(FinishReason.StopSequence, answer.Reason);
        Assert.Equal("", answer.Complete());
        Assert.Equal("the", answer.Text);
    }

    [Fact]
    public void Text_held_back_for_a_stop_sequence_that_never_completes_is_given_out_at_the_end()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 2, stops: [" cat is"]);

        Assert.Equal("the", answer.Push(Id("▁the")));
        Assert.Equal("", answer.Push(Id("▁cat")));

        Assert.Equal(FinishReason.Length, answer.Reason);
        Assert.Equal(" cat", answer.Complete());
        Assert.Equal("the cat", answer.Text);
    }

    [Fact]
    public void An_answer_the_generator_ends_before_its_budget_ended_its_turn()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 5);
        answer.Push(Id("▁the"));

        answer.Complete();

        Assert.True(answer.Finished);
        Assert.Equal(FinishReason.EndOfTurn, answer.Reason);
    }

    [Fact]
    public void An_unfinished_character_becomes_a_replacement_character_at_the_end()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 1);

        Assert.Equal("", answer.Push(Id("<0xF3>")));

        Assert.Equal("\uFFFD", answer.Complete());
        Assert.Equal("\uFFFD", answer.Text);
    }

    [Fact]
    public void Nothing_can_be_pushed_after_the_end()
    {
        AnswerAssembler answer = Answer(maxNewTokens: 1);
        answer.Push(Id("▁the"));

        Assert.Throws<InvalidOperationException>(() => answer.Push(Id("▁cat")));
    }

    private static AnswerAssembler Answer(int maxNewTokens, string[]? stops = null) =>
        new(s_tokenizer.Value.Decoding, new HashSet<int> { EndOfTurn }, stops ?? [], maxNewTokens);

    private static int Id(string piece) => s_tokenizer.Value.Tokenizer.RootElement.GetProperty("model").GetProperty("vocab").GetProperty(piece).GetInt32();
}
