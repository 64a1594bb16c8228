using System.Text.Json;

namespace Llava.Testing.Golden;

/// <summary>transformers' logits for one prompt position, summarised: top ids, sums and values at probe ids.</summary>
public sealed record LogitsRow(int Position, IReadOnlyList<(int Id, float Value)> Top, double Sum, double AbsSum, IReadOnlyList<float> AtProbeIds)
{
    internal static LogitsRow Parse(JsonElement row) => new(
        row.TryGetProperty("position", out JsonElement p) ? p.GetInt32() : -1,
        [.. row.GetProperty("top").EnumerateArray().Select(t => (t[0].GetInt32(), t[1].GetSingle()))],
        row.GetProperty("sum").GetDouble(),
        row.GetProperty("abs_sum").GetDouble(),
        row.TryGetProperty("at_probe_ids", out JsonElement probes) ? [.. probes.EnumerateArray().Select(v => v.GetSingle())] : []);
}
