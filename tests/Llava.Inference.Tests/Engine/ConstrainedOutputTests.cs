using System.Text.Json;
using System.Text.RegularExpressions;
using Llava.Inference.Generation;

namespace Llava.Inference.Tests.Engine;

public sealed partial class ConstrainedOutputTests
{
    [Fact]
    public async Task A_regex_constraint_shapes_even_a_random_model_s_answer()
    {
        GenerationResult result = await TinyEngines.For("llava-1.5").AskAsync(
            TinyEngines.Image("chelsea_336x336"),
            "How many cats?",
            new GenerationOptions { MaxNewTokens = 16, Constraint = OutputConstraint.Regex("(yes|no), (one|two|many) cats?") });

        Assert.True(AnswerPattern().IsMatch(result.Text.Trim()), $"'{result.Text}' ids [{string.Join(",", result.TokenIds)}] finish {result.FinishReason} pieces [{string.Join("|", result.TokenIds.Select(i => TinyEngines.For("llava-1.5").Decode([i])))}]");
    }

    [Fact]
    public async Task A_json_schema_constraint_yields_parseable_json()
    {
        const string Schema = """{"type":"object","properties":{"animal":{"enum":["cat","dog","bird"]}},"required":["animal"],"additionalProperties":false,"x-guidance":{"whitespace_flexible":false}}""";

        GenerationResult result = await TinyEngines.For("llava-1.5").AskAsync(
            TinyEngines.Image("chelsea_336x336"),
            "Count the cats as JSON.",
            new GenerationOptions { MaxNewTokens = 40, Constraint = OutputConstraint.JsonSchema(Schema) });

        Assert.True(result.FinishReason != FinishReason.Length, $"'{result.Text}' [{string.Join(",", result.TokenIds)}] {result.FinishReason}");
        using JsonDocument json = JsonDocument.Parse(result.Text);
        Assert.Matches("^(cat|dog|bird)$", json.RootElement.GetProperty("animal").GetString());
    }

    [GeneratedRegex("^(yes|no), (one|two|many) cats?$")]
    private static partial Regex AnswerPattern();
}
