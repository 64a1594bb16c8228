using System.Text.Json;
using System.Text.RegularExpressions;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;

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

    [Fact]
    public async Task A_json_schema_constraint_survives_every_small_token_budget()
    {
        // Grammar-forced tokens near the end of a small budget once ran past GenAI's max_length buffer and killed
        // the process (native heap corruption at 8-9 new tokens); a crash here fails the whole test run.
        const string Schema = """{"type":"object","properties":{"animal":{"enum":["cat","dog"]}},"required":["animal"]}""";
        LlavaEngine engine = TinyEngines.For("llava-1.5");

        for (int budget = 1; budget <= 24; budget++)
        {
            foreach (PromptMessage message in (PromptMessage[])[PromptMessage.User("Describe."), PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "Describe.")])
            {
                GenerationResult result = await engine.GenerateAsync([message], new GenerationOptions { MaxNewTokens = budget, Constraint = OutputConstraint.JsonSchema(Schema) });

                Assert.InRange(result.TokenIds.Count, 1, budget);
            }
        }
    }

    [GeneratedRegex("^(yes|no), (one|two|many) cats?$")]
    private static partial Regex AnswerPattern();
}
