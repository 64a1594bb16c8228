using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llava.TinyCheckpoints;

/// <summary>JSON output in the style of the llava-hf files: 2-space indent, UTF-8 as is, Python's float spelling.</summary>
internal static class TinyJson
{
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string path, JsonNode node) =>
        File.WriteAllText(path, node.ToJsonString(s_options) + "\n");

    /// <summary>A float as Python's json writes it (1e-05, 1000000.0), so configs read like the published ones.</summary>
    public static JsonNode Float(double value)
    {
        string text = value == Math.Floor(value) && Math.Abs(value) < 1e16
            ? value.ToString("F1", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        return JsonNode.Parse(text)!;
    }

    /// <summary>A number too large for long, kept verbatim (transformers' VERY_LARGE_INTEGER model_max_length).</summary>
    public static JsonNode RawNumber(string digits) => JsonNode.Parse(digits)!;
}
