using System.Collections.Frozen;
using System.Reflection;

namespace Llava.Serving.Http.Errors;

/// <summary>
/// The error catalogue as data: every code declared in <see cref="ApiErrorCodes"/> with the status and title its
/// <see cref="ApiErrorStatusAttribute"/> gives it. Read once from the declarations, so a code cannot be listed here
/// and there with two statuses.
/// </summary>
public static class ApiErrorCatalogue
{
    private static readonly FrozenDictionary<string, ApiErrorDefinition> s_byCode = Read().ToFrozenDictionary(d => d.Code, StringComparer.Ordinal);

    /// <summary>Every code, in declaration order.</summary>
    public static IReadOnlyList<ApiErrorDefinition> All { get; } = Read();

    /// <summary>The definition of <paramref name="code"/>; a code that is not in the catalogue is a bug.</summary>
    public static ApiErrorDefinition Get(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return s_byCode.TryGetValue(code, out ApiErrorDefinition? definition)
            ? definition
            : throw new ArgumentException($"'{code}' is not an error code of ApiErrorCodes.", nameof(code));
    }

    private static ApiErrorDefinition[] Read() =>
        [.. typeof(ApiErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => field.GetCustomAttribute<ApiErrorStatusAttribute>() is { } status
                ? new ApiErrorDefinition((string)field.GetRawConstantValue()!, status.Status, status.Title)
                : throw new InvalidOperationException($"ApiErrorCodes.{field.Name} has no [ApiErrorStatus]."))];
}
