using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Llava.Inference.Generation;

namespace Llava.Cli.Running;

/// <summary>Decoding and output options shared by caption, ask, chat and demo.</summary>
internal sealed class GenerationArguments
{
    public GenerationArguments(int defaultMaxTokens)
    {
        MaxTokens = new("--max-tokens", "-n")
        {
            Description = "Most tokens to generate per answer.",
            DefaultValueFactory = _ => defaultMaxTokens,
        };
        // Checked by the parser, so a bad value is a usage error (exit 2, the flag named) before any model loads;
        // NaN slips through every comparison, so each check is written as "inside the range".
        MaxTokens.Validators.Add(result => Check(result, text => !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value >= 1, "an integer of at least 1"));
        Temperature.Validators.Add(result => Check(result, text => !TryParse(text, out float value) || value is >= 0 and <= 10, "a number from 0 to 10"));
        TopP.Validators.Add(result => Check(result, text => !TryParse(text, out float value) || value is > 0 and <= 1, "a number greater than 0 and at most 1"));
        TopK.Validators.Add(result => Check(result, text => !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value >= 1, "an integer of at least 1"));
    }

    public Option<int> MaxTokens { get; }

    public Option<float?> Temperature { get; } = new("--temperature", "-t")
    {
        Description = "Sampling temperature; 0 or unset decodes greedily (LLaVA's benchmark setting).",
    };

    public Option<float?> TopP { get; } = new("--top-p")
    {
        Description = "Nucleus sampling threshold in (0, 1] (with --temperature).",
    };

    public Option<int?> TopK { get; } = new("--top-k")
    {
        Description = "Sample among the k most likely tokens only (with --temperature).",
    };

    public Option<ulong?> Seed { get; } = new("--seed")
    {
        Description = "Seed for reproducible sampling.",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON object per answer (answer, finish reason, usage, timings) instead of streaming text.",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print timings (preprocess, time to first token, tokens/s) and token usage to stderr.",
    };

    public Option<bool> TokenIds { get; } = new("--token-ids")
    {
        Description = "With --json, also print promptIds (BOS included, each image token once, before expansion to usage.imageTokens copies) and generatedIds (the end-of-turn token included when it ended the answer).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(MaxTokens);
        command.Options.Add(Temperature);
        command.Options.Add(TopP);
        command.Options.Add(TopK);
        command.Options.Add(Seed);
        command.Options.Add(Json);
        command.Options.Add(Verbose);
        command.Options.Add(TokenIds);
    }

    /// <summary>The decoding options; invalid values are refused with exit code 2 before anything loads.</summary>
    public GenerationOptions Options(ParseResult parse)
    {
        GenerationOptions options = new()
        {
            MaxNewTokens = parse.GetValue(MaxTokens),
            Temperature = parse.GetValue(Temperature),
            TopP = parse.GetValue(TopP),
            TopK = parse.GetValue(TopK),
            Seed = parse.GetValue(Seed),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ExitCodes.InvalidInput, ex.Message, ex);
        }

        return options;
    }

    /// <summary>
    /// Adds an error when the option's one token is out of range. A token that does not parse is left to the parser's
    /// own error (the validator sees the text, not the converted value, which would throw for it).
    /// </summary>
    private static void Check(OptionResult result, Func<string, bool> valid, string expected)
    {
        if (result.Tokens.Count == 1 && !valid(result.Tokens[0].Value))
        {
            result.AddError($"{result.Option.Name} must be {expected}; got {result.Tokens[0].Value}.");
        }
    }

    private static bool TryParse(string text, out float value) =>
        float.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);

    /// <summary>The answer printer; <c>--token-ids</c> without <c>--json</c> is refused with exit code 2.</summary>
    public AnswerWriter Writer(ParseResult parse, CliContext context, bool randomWeights = false)
    {
        bool json = parse.GetValue(Json);
        bool tokenIds = parse.GetValue(TokenIds);
        if (tokenIds && !json)
        {
            throw new CliException(ExitCodes.InvalidInput, "--token-ids needs --json (the ids are fields of the JSON answer).");
        }

        return new(context, json, parse.GetValue(Verbose), randomWeights, tokenIds);
    }
}
