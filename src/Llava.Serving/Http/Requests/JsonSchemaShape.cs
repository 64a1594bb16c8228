using System.Text.Json;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// The structural checks of a <c>response_format</c> JSON Schema that need no schema compiler: every keyword this
/// server's guided decoding reads has the JSON type the specification gives it, every subschema is a schema, and
/// every <c>$ref</c> points inside the document (a remote reference is never fetched: it is refused). A schema that
/// passes can still be one the grammar compiler rejects; the engine reports that. Errors name the keyword's path.
/// </summary>
internal static class JsonSchemaShape
{
    private static readonly HashSet<string> s_types = new(StringComparer.Ordinal) { "string", "number", "integer", "boolean", "object", "array", "null" };

    private static readonly string[] s_subschema = ["additionalProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems", "not", "contains", "propertyNames", "if", "then", "else"];

    private static readonly string[] s_subschemaMaps = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

    private static readonly string[] s_subschemaLists = ["anyOf", "oneOf", "allOf", "prefixItems"];

    private static readonly string[] s_numbers = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];

    private static readonly string[] s_counts = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"];

    private static readonly string[] s_strings = ["pattern", "format", "$id", "$schema", "title", "description"];

    /// <summary>Throws a 400 naming the first misshapen keyword; <paramref name="path"/> is where the schema sits in the request.</summary>
    public static void Check(JsonElement schema, string path) => CheckSchema(schema, schema, path);

    private static void CheckSchema(JsonElement schema, JsonElement root, string path)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, "must be a JSON Schema (an object or true/false)");
        }

        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            string at = path + "." + keyword.Name;
            JsonElement value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    CheckType(value, at);
                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        CheckList(value, root, at, allowEmpty: true);
                    }
                    else
                    {
                        CheckSchema(value, root, at);
                    }

                    break;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                    {
                        throw Bad(at, "must be an array of property names");
                    }

                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    {
                        throw Bad(at, "must be a non-empty array");
                    }

                    break;
                case "multipleOf":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double step) || !(step > 0) || double.IsInfinity(step))
                    {
                        throw Bad(at, "must be a number greater than 0");
                    }

                    break;
                case "$ref":
                    CheckReference(value, root, at);
                    break;
                case var name when s_subschema.Contains(name):
                    CheckSchema(value, root, at);
                    break;
                case var name when s_subschemaMaps.Contains(name):
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        throw Bad(at, "must be an object of schemas");
                    }

                    foreach (JsonProperty entry in value.EnumerateObject())
                    {
                        CheckSchema(entry.Value, root, $"{at}.{entry.Name}");
                    }

                    break;
                case var name when s_subschemaLists.Contains(name):
                    CheckList(value, root, at, allowEmpty: false);
                    break;
                case var name when s_numbers.Contains(name):
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || double.IsInfinity(number))
                    {
                        throw Bad(at, "must be a finite number");
                    }

                    break;
                case var name when s_counts.Contains(name):
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long count) || count < 0)
                    {
                        throw Bad(at, "must be a non-negative integer");
                    }

                    break;
                case var name when s_strings.Contains(name):
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        throw Bad(at, "must be a string");
                    }

                    break;
                default:
                    // Annotations and keywords guided decoding ignores (examples, default, const, ...).
                    break;
            }
        }
    }

    private static void CheckType(JsonElement value, string at)
    {
        bool valid = value.ValueKind switch
        {
            JsonValueKind.String => s_types.Contains(value.GetString()!),
            JsonValueKind.Array => value.GetArrayLength() > 0 && value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && s_types.Contains(t.GetString()!)),
            _ => false,
        };
        if (!valid)
        {
            throw Bad(at, $"must be one of {string.Join(", ", s_types)} (or a non-empty array of them)");
        }
    }

    private static void CheckList(JsonElement value, JsonElement root, string at, bool allowEmpty)
    {
        if (value.ValueKind != JsonValueKind.Array || (!allowEmpty && value.GetArrayLength() == 0))
        {
            throw Bad(at, "must be a non-empty array of schemas");
        }

        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            CheckSchema(item, root, $"{at}[{index++}]");
        }
    }

    private static void CheckReference(JsonElement value, JsonElement root, string at)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } reference || !reference.StartsWith('#'))
        {
            throw Bad(at, "must be a reference inside this schema ('#/$defs/...'); other documents are never fetched");
        }

        JsonElement target = root;
        foreach (string token in reference.Length <= 2 ? [] : reference[2..].Split('/'))
        {
            string name = Uri.UnescapeDataString(token).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (!TryStep(target, name, out target))
            {
                throw Bad(at, $"points at '{reference}', which is not in the schema");
            }
        }
    }

    private static bool TryStep(JsonElement current, string name, out JsonElement next)
    {
        next = default;
        if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out JsonElement property))
        {
            next = property;
            return true;
        }

        if (current.ValueKind == JsonValueKind.Array &&
            int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) &&
            index < current.GetArrayLength())
        {
            next = current[index];
            return true;
        }

        return false;
    }

    private static HttpApiException Bad(string path, string problem) => HttpApiException.InvalidField(path, $"'{path}' {problem}.");
}
