using System.Text.Json;
using Llava.Inference.Errors;

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

    /// <summary>
    /// Refuses a JSON schema that is not a JSON object or boolean (<see cref="InvalidParameterException"/> naming
    /// <c>response_format</c>) before any work starts; what only llguidance can judge is refused when the generator
    /// compiles it.
    /// </summary>
    public void Validate()
    {
        if (Kind != "json_schema")
        {
            return;
        }

        try
        {
            using JsonDocument schema = JsonDocument.Parse(Definition, new JsonDocumentOptions { MaxDepth = 64 });
            if (schema.RootElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                throw new InvalidParameterException(GenerationParameterNames.ResponseFormat, $"response_format: a JSON schema must be an object or a boolean; got {schema.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidParameterException(GenerationParameterNames.ResponseFormat, $"response_format: the JSON schema is not valid JSON: {e.Message}", e);
        }
    }

    private static string Require(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return value;
    }
}
