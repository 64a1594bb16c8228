using System.Text.Json;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Requests;

/// <summary>Typed, optional fields of a JSON request object, with errors that name the field.</summary>
internal static class JsonFields
{
    public static JsonElement RequireObject(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object ? element : throw HttpApiException.BadRequest($"{what} must be a JSON object.");

    /// <summary>As <see cref="RequireObject(JsonElement, string)"/>, naming the field in <c>param</c>.</summary>
    public static JsonElement RequireObjectField(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Invalid(path, "a JSON object");

    /// <summary>The property, or null when it is absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? GetString(JsonElement obj, string name) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw Invalid(name, "a string"),
    };

    /// <param name="obj">The object.</param>
    /// <param name="name">The property.</param>
    /// <param name="path">How an error names it (the property's path from the body's root); <paramref name="name"/> when null.</param>
    public static bool? GetBoolean(JsonElement obj, string name, string? path = null) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var value => throw Invalid(path ?? name, "true or false", value),
    };

    public static int? GetInt32(JsonElement obj, string name) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out int number) => number,
        { ValueKind: JsonValueKind.Number } value => throw Invalid(name, "an integer from -2147483648 to 2147483647", value),
        var value => throw Invalid(name, "an integer", value),
    };

    public static long? GetInt64(JsonElement obj, string name) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out long number) => number,
        var value => throw Invalid(name, "a 64-bit integer", value),
    };

    public static ulong? GetUInt64(JsonElement obj, string name) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetUInt64(out ulong number) => number,
        var value => throw Invalid(name, "a non-negative integer (at most 18446744073709551615)", value),
    };

    public static float? GetSingle(JsonElement obj, string name) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetSingle(out float number) && float.IsFinite(number) => number,
        var value => throw Invalid(name, "a finite number", value),
    };

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>); empty when absent.</summary>
    public static IReadOnlyList<string> GetStrings(JsonElement obj, string name)
    {
        switch (Get(obj, name))
        {
            case null:
                return [];
            case { ValueKind: JsonValueKind.String } value:
                return [value.GetString()!];
            case { ValueKind: JsonValueKind.Array } array:
                List<string> items = [];
                foreach (JsonElement item in array.EnumerateArray())
                {
                    items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(name, "a string or an array of strings"));
                }

                return items;
            default:
                throw Invalid(name, "a string or an array of strings");
        }
    }

    public static HttpApiException Invalid(string name, string expected) => HttpApiException.InvalidField(name, $"'{name}' must be {expected}.");

    /// <summary>As <see cref="Invalid(string, string)"/>, quoting (the start of) what was sent.</summary>
    public static HttpApiException Invalid(string name, string expected, JsonElement? value)
    {
        if (value is not { } sent)
        {
            return Invalid(name, expected);
        }

        string raw = sent.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? sent.ValueKind.ToString().ToLowerInvariant() : sent.GetRawText();
        return HttpApiException.InvalidField(name, $"'{name}' must be {expected}; got {(raw.Length > 40 ? raw[..40] + "..." : raw)}.");
    }
}
