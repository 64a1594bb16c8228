using Llava.Inference.Engine;

namespace Llava.Inference.Tests.Engine;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Text_without_any_stop_prefix_is_emitted_at_once()
    {
        StopSequenceMatcher matcher = new(["END"]);

        Assert.Equal(("hello ", false), matcher.Push("hello "));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void A_stop_at_the_very_start_emits_nothing()
    {
        StopSequenceMatcher matcher = new(["###"]);

        Assert.Equal(("", true), matcher.Push("### and more"));
    }

    [Fact]
    public void A_stop_split_across_tokens_is_held_back_then_dropped()
    {
        StopSequenceMatcher matcher = new(["</answer>"]);

        Assert.Equal(("forty-two", false), matcher.Push("forty-two</an"));
        Assert.Equal(("", false), matcher.Push("sw"));
        Assert.Equal(("", true), matcher.Push("er> trailing"));
    }

    [Fact]
    public void A_held_prefix_that_turns_out_not_to_be_a_stop_is_released()
    {
        StopSequenceMatcher matcher = new(["STOP"]);

        Assert.Equal(("a ", false), matcher.Push("a ST"));
        Assert.Equal(("STart", false), matcher.Push("art"));
    }

    [Fact]
    public void Held_text_comes_back_from_flush_once()
    {
        StopSequenceMatcher matcher = new(["STOP"]);

        Assert.Equal(("end ", false), matcher.Push("end STO"));
        Assert.Equal("STO", matcher.Flush());
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void A_stop_completed_by_the_last_text_at_flush_still_ends_the_answer_before_it()
    {
        StopSequenceMatcher matcher = new(["STOP"]);

        Assert.Equal(("done ", false), matcher.Push("done ST"));
        Assert.Equal("", matcher.Flush("OP and more"));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void With_several_stops_the_earliest_in_the_text_wins()
    {
        StopSequenceMatcher matcher = new(["zzz", "b", "cd"]);

        Assert.Equal(("a", true), matcher.Push("abcdzzz"));
    }

    [Fact]
    public void With_several_stops_a_later_listed_one_can_end_the_text()
    {
        StopSequenceMatcher matcher = new(["never", "\n\n"]);

        Assert.Equal(("one", false), matcher.Push("one\n"));
        Assert.Equal(("", true), matcher.Push("\ntwo"));
    }

    [Fact]
    public void The_longest_possible_prefix_among_several_stops_is_held()
    {
        StopSequenceMatcher matcher = new(["xy", "abcd"]);

        // "abc" could still become "abcd"; "x" alone could become "xy": the longer hold wins.
        Assert.Equal(("1", false), matcher.Push("1abc"));
        Assert.Equal(("", true), matcher.Push("d"));
    }

    [Fact]
    public void A_one_character_stop_holds_nothing_back()
    {
        StopSequenceMatcher matcher = new(["."]);

        Assert.Equal(("abc", false), matcher.Push("abc"));
        Assert.Equal(("x", true), matcher.Push("x.y"));
    }

    [Fact]
    public void No_stops_means_everything_is_emitted()
    {
        StopSequenceMatcher matcher = new([]);

        Assert.Equal(("anything", false), matcher.Push("anything"));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void After_a_stop_nothing_is_held()
    {
        StopSequenceMatcher matcher = new(["END"]);

        Assert.Equal(("a", true), matcher.Push("aENDb"));
        Assert.Equal("", matcher.Flush());
    }
}
