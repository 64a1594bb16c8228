namespace Llava.Serving.Http.Responses;

/// <summary>The answer of <c>GET /api/health</c>.</summary>
public sealed record HealthResponse
{
    /// <summary><c>loading</c>, <c>ready</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>What the model host is doing (for example <c>loading</c> or <c>verify 40%</c>).</summary>
    public required string Stage { get; init; }

    /// <summary>Why loading failed; null otherwise.</summary>
    public required string? Error { get; init; }

    /// <summary>The served model; null until it is loaded.</summary>
    public required HealthModel? Model { get; init; }

    /// <summary>Requests admitted now (decoding their images, waiting for their batch or generating).</summary>
    public required int InFlight { get; init; }

    /// <summary>Memory budget, reservations and batches of a ready host; null until the model is loaded.</summary>
    public required HealthCapacity? Capacity { get; init; }

    public required double UptimeSeconds { get; init; }
}
