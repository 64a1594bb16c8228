namespace Llava.Inference.Generation;

/// <summary>
/// Constrains the answer to a grammar through ONNX Runtime GenAI's guidance (llguidance): a JSON schema, a
/// regular expression, or a Lark grammar.
/// </summary>
public sealed record OutputConstraint
{
    private OutputConstraint(string kind, string definition)
    {
        Kind = kind;
        Definition = definition;
    }

    /// <summary>GenAI's guidance type: json_schema, regex or lark_grammar.</summary>
    public string Kind { get; }

    public string Definition { get; }

    public static OutputConstraint JsonSchema(string schema) => new("json_schema", Require(schema));

    public static OutputConstraint Regex(string pattern) => new("regex", Require(pattern));

    public static OutputConstraint Lark(string grammar) => new("lark_grammar", Require(grammar));

    private static string Require(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return value;
    }
}
