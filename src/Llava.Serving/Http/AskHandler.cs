using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
using Llava.Serving.Http.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Llava.Serving.Http;

/// <summary>
/// <c>POST /api/ask</c>: one image and a question, answered as JSON, or as Server-Sent Events (<c>delta</c> events,
/// then <c>done</c>) when the client sends <c>Accept: text/event-stream</c>. A client that goes away stops the generation.
/// </summary>
public sealed class AskHandler
{
    public const string Endpoint = "ask";

    private readonly ModelHost _host;
    private readonly HttpApiOptions _options;
    private readonly IImageReferenceResolver? _resolver;
    private readonly ILogger _logger;

    /// <param name="host">The model host; requests wait up to <see cref="HttpApiOptions.ReadinessWait"/> for it.</param>
    /// <param name="options">The HTTP API settings.</param>
    /// <param name="resolver">Resolves <c>imageUrl</c>; without one, references are refused with 400.</param>
    /// <param name="logger">Where refusals and failures are logged.</param>
    public AskHandler(ModelHost host, IOptions<HttpApiOptions> options, IImageReferenceResolver? resolver = null, ILogger<AskHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        options.Value.ThrowIfInvalid();
        _host = host;
        _options = options.Value;
        _resolver = resolver;
        _logger = logger ?? NullLogger<AskHandler>.Instance;
    }

    /// <summary>Answers the request on its response; never throws for a bad request (it is answered with its status).</summary>
    public Task HandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HandleAsync(request.HttpContext, cancellationToken);
    }

    /// <inheritdoc cref="HandleAsync(HttpRequest, CancellationToken)"/>
    public Task HandleAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, Endpoint, ErrorFormat.Problem, _logger, HandleCoreAsync, cancellationToken);

    internal static bool WantsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private async Task HandleCoreAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        HttpContext context = request.Context;
        AskRequest ask = await AskRequestReader.ReadAsync(context.Request, _options, _resolver, cancellationToken);
        LlavaEngine engine = await _host.GetEngineAsync(_options.ReadinessWait, cancellationToken);
        GenerationFieldChecks.ValidateForModel(ask.Options, GenerationFieldNames.Ask, images: 1, "image", engine);
        IReadOnlyList<PromptMessage> messages = await ImageInputs.ResolveAsync(ask.ToMessages(), _resolver, engine.Options.MaxImageBytes, cancellationToken);
        string model = engine.Manifest.Variant;
        request.Activity?.SetTag("llava.model", model);

        GenerationResult result;
        if (WantsEventStream(context.Request))
        {
            AskSseFormat format = new(model, context.Request.Path);
            SseSession session = request.OpenEventStream(format, _options.HeartbeatInterval);
            result = await GenerationStreamer.StreamAsync(session, format, engine.StreamAsync(messages, ask.Options, cancellationToken), _options.HeartbeatInterval, cancellationToken);
        }
        else
        {
            result = await engine.GenerateAsync(messages, ask.Options, cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(AskResponse.From(result, model), HttpApiJsonContext.Default.AskResponse, cancellationToken: cancellationToken);
        }

        ServingTelemetry.RecordGeneration(Endpoint, result, request.Activity);
    }
}
