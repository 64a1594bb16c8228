using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llava.Infra.Tests.Arm;

/// <summary>A value only known once Azure has deployed something (a resource's runtime property).</summary>
/// <param name="Text">What the value is, e.g. <c>reference('/subscriptions/.../userAssignedIdentities/id-x').clientId</c>.</param>
internal sealed record ArmUnresolved(string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// ARM values in the evaluator: <c>null</c>, <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="List{T}"/> of values, case-insensitive objects
/// (<see cref="Dictionary{TKey, TValue}"/>) and <see cref="ArmUnresolved"/>.
/// </summary>
internal static class ArmValue
{
    public static Dictionary<string, object?> NewObject() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Converts literal JSON (no expressions) to evaluator values.</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonArray array => array.Select(FromJson).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetValue(out long integer) => integer,
            JsonValueKind.Number => value.GetValue<double>(),
            _ => null,
        },
        _ => throw new NotSupportedException($"Unexpected JSON node {node}."),
    };

    public static bool IsUnresolved(object? value) => value is ArmUnresolved;

    /// <summary>ARM's string() of a value; unresolved values print their description.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string text => text,
        bool flag => flag ? "true" : "false",
        long integer => integer.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString(CultureInfo.InvariantCulture),
        ArmUnresolved unresolved => unresolved.Text,
        _ => JsonSerializer.Serialize(ToPlain(value)),
    };

    /// <summary>Deep equality with ARM's semantics (strings compared ordinally).</summary>
    public static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (long a, long b) => a == b,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (double a, double b) => a.Equals(b),
        (bool a, bool b) => a == b,
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(pair => AreEqual(pair.First, pair.Second)),
        (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
            a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out object? other) && AreEqual(pair.Value, other)),
        (ArmUnresolved a, ArmUnresolved b) => a == b,
        _ => false,
    };

    private static object? ToPlain(object? value) => value switch
    {
        Dictionary<string, object?> obj => obj.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        List<object?> list => list.Select(ToPlain).ToList(),
        ArmUnresolved unresolved => unresolved.Text,
        _ => value,
    };
}
