using Llava.ModelFormat;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llava.Serving.Http;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>, as OpenAI's Models API: the one loaded model (OpenAI
/// clients and most compatible UIs list models before they chat). 503 while the model loads or after it failed
/// (never waits for it), 404 <c>model_not_found</c> for any other id, errors in OpenAI's envelope.
/// </summary>
public sealed class ModelsHandler
{
    public const string Endpoint = "models";

    private readonly ModelHost _host;
    private readonly ILogger _logger;

    public ModelsHandler(ModelHost host, ILogger<ModelsHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _logger = logger ?? NullLogger<ModelsHandler>.Instance;
    }

    /// <summary>Writes the list of models (the loaded one) on the response.</summary>
    public Task ListAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ListAsync(request.HttpContext, cancellationToken);
    }

    /// <inheritdoc cref="ListAsync(HttpRequest, CancellationToken)"/>
    public Task ListAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, Endpoint, ErrorFormat.OpenAi, _logger, async (request, token) =>
        {
            OpenAiModel model = await LoadedModelAsync(token);
            await WriteAsync(request.Context.Response, new OpenAiModelList { Data = [model] }, HttpApiJsonContext.Default.OpenAiModelList, token);
        }, cancellationToken);

    /// <summary>Writes the model named <paramref name="id"/>, or a 404 when that is not the loaded model.</summary>
    public Task GetAsync(HttpRequest request, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GetAsync(request.HttpContext, id, cancellationToken);
    }

    /// <inheritdoc cref="GetAsync(HttpRequest, string, CancellationToken)"/>
    public Task GetAsync(HttpContext context, string id, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, Endpoint, ErrorFormat.OpenAi, _logger, async (request, token) =>
        {
            OpenAiModel model = await LoadedModelAsync(token);
            if (!string.Equals(id, model.Id, StringComparison.Ordinal))
            {
                throw new HttpApiException(ApiErrorCodes.ModelNotFound, $"The model '{id}' does not exist; this server serves '{model.Id}'.");
            }

            await WriteAsync(request.Context.Response, model, HttpApiJsonContext.Default.OpenAiModel, token);
        }, cancellationToken);

    /// <summary>The model object for a model folder's manifest.</summary>
    public static OpenAiModel ToModel(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        int slash = manifest.SourceCheckpoint.IndexOf('/', StringComparison.Ordinal);
        return new OpenAiModel
        {
            Id = manifest.Variant,
            Created = manifest.CreatedUtc.ToUnixTimeSeconds(),
            OwnedBy = slash > 0 ? manifest.SourceCheckpoint[..slash] : "local",
            ContextLength = manifest.ContextLength,
            Variant = manifest.Variant,
            Precision = manifest.Precision,
            SourceCheckpoint = manifest.SourceCheckpoint,
        };
    }

    private async Task<OpenAiModel> LoadedModelAsync(CancellationToken cancellationToken) =>
        ToModel((await _host.GetEngineAsync(TimeSpan.Zero, cancellationToken)).Manifest);

    private static Task WriteAsync<T>(HttpResponse response, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        return response.WriteAsJsonAsync(body, type, cancellationToken: cancellationToken);
    }
}
