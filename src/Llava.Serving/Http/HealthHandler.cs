using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llava.Serving.Http;

/// <summary>
/// <c>GET /api/health</c> (anonymous): loading, ready or failed (with the reason), what model is served, generations
/// in flight and uptime. 200 when ready; 503 otherwise, with Retry-After while loading. Never waits for the model.
/// </summary>
public sealed class HealthHandler
{
    public const string Endpoint = "health";

    /// <summary>Retry-After sent while the model loads.</summary>
    public static readonly TimeSpan LoadingRetryAfter = TimeSpan.FromSeconds(5);

    private readonly ModelHost _host;
    private readonly ILogger _logger;

    public HealthHandler(ModelHost host, ILogger<HealthHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _logger = logger ?? NullLogger<HealthHandler>.Instance;
    }

    /// <summary>Writes the health document on the response.</summary>
    public Task HandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HandleAsync(request.HttpContext, cancellationToken);
    }

    /// <inheritdoc cref="HandleAsync(HttpRequest, CancellationToken)"/>
    public Task HandleAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, Endpoint, ErrorFormat.Problem, _logger, HandleCoreAsync, cancellationToken);

    /// <summary>The health document for a model host's status.</summary>
    public static HealthResponse ToResponse(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new HealthResponse
        {
            Status = status.State switch
            {
                ModelState.Ready => "ready",
                ModelState.Failed => "failed",
                _ => "loading",
            },
            Stage = status.Stage,
            Error = status.Error,
            Model = status.State == ModelState.Ready ? new HealthModel(status.Variant, status.Precision, status.Source, status.ExecutionProvider) : null,
            InFlight = status.InFlight,
            Capacity = status.Batching is { } batching
                ? new HealthCapacity(
                    status.MemoryBudgetBytes,
                    status.ReservedBytes,
                    batching.KeyValueCacheBytes,
                    batching.MaxBatchSize,
                    batching.RunningBatches,
                    batching.GeneratingRows,
                    batching.WaitingRows,
                    batching.CompletedBatches,
                    batching.CompletedRows)
                : null,
            UptimeSeconds = Math.Round(status.Uptime.TotalSeconds, 3),
        };
    }

    private async Task HandleCoreAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        ModelStatus status = _host.Status();
        HttpResponse response = request.Context.Response;
        response.StatusCode = status.State == ModelState.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        response.Headers.CacheControl = "no-store";
        if (status.State == ModelState.Loading)
        {
            response.Headers.RetryAfter = ((int)LoadingRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await response.WriteAsJsonAsync(ToResponse(status), HttpApiJsonContext.Default.HealthResponse, cancellationToken: cancellationToken);
    }
}
