using System.Text.Json;

namespace Llava.Testing.Golden;

/// <summary>transformers' logits for one prompt position, summarised: top ids, sums and values at probe ids.</summary>
public sealed record LogitsRow(int Position, IReadOnlyList<(int Id, float Value)> Top, double Sum, double AbsSum, IReadOnlyList<float> AtProbeIds)
{
    internal static LogitsRow Parse(JsonElement row) => new(
        row.TryGetProperty("position", out JsonElement p) ? p.GetInt32() : -1,
        [.. (row.TryGetProperty("top", out JsonElement top) ? top : row.GetProperty("top5")).EnumerateArray().Select(t => (t[0].GetInt32(), t[1].GetSingle()))],
        row.GetProperty("sum").GetDouble(),
        row.TryGetProperty("abs_sum", out JsonElement abs) ? abs.GetDouble() : double.NaN,
        row.TryGetProperty("at_probe_ids", out JsonElement probes) ? [.. probes.EnumerateArray().Select(v => v.GetSingle())] : []);
}
