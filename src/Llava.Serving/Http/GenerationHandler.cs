using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Llava.Serving.Http;

/// <summary>
/// What the two generation endpoints share: the model host, the HTTP settings and image references, one request's
/// run (errors written in the endpoint's format, telemetry recorded for every answer), and the steps before the
/// engine is called (wait for the model, check the options against it, resolve image references). Each endpoint reads
/// its own request and writes its own answer.
/// </summary>
public abstract class GenerationHandler
{
    private readonly string _endpoint;
    private readonly ErrorFormat _format;
    private readonly ModelHost _host;
    private readonly IImageReferenceResolver? _resolver;
    private readonly ILogger _logger;

    private protected GenerationHandler(string endpoint, ErrorFormat format, ModelHost host, IOptions<HttpApiOptions> options, IImageReferenceResolver? resolver, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        options.Value.ThrowIfInvalid();
        _endpoint = endpoint;
        _format = format;
        _host = host;
        Options = options.Value;
        _resolver = resolver;
        _logger = logger;
    }

    private protected HttpApiOptions Options { get; }

    private protected IImageReferenceResolver? Resolver => _resolver;

    /// <summary>Answers the request on its response; never throws for a bad request (it is answered with its status).</summary>
    public Task HandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HandleAsync(request.HttpContext, cancellationToken);
    }

    /// <inheritdoc cref="HandleAsync(HttpRequest, CancellationToken)"/>
    public Task HandleAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, _endpoint, _format, _logger, RunAsync, cancellationToken);

    /// <summary>Reads the request, generates, writes the answer (JSON or a stream) and returns the result.</summary>
    private protected abstract Task<GenerationResult> GenerateAsync(ApiRequest request, CancellationToken cancellationToken);

    /// <summary>The engine once it is ready, with the options checked against it and every image reference resolved.</summary>
    private protected async Task<(LlavaEngine Engine, IReadOnlyList<PromptMessage> Messages)> PrepareAsync(
        IReadOnlyList<PromptMessage> messages,
        GenerationOptions options,
        GenerationFieldNames fields,
        int images,
        string imagesParam,
        CancellationToken cancellationToken)
    {
        LlavaEngine engine = await _host.GetEngineAsync(Options.ReadinessWait, cancellationToken);
        GenerationFieldChecks.ValidateForModel(options, fields, images, imagesParam, engine);
        IReadOnlyList<PromptMessage> resolved = await ImageInputs.ResolveAsync(messages, _resolver, engine.Options.MaxImageBytes, cancellationToken);
        return (engine, resolved);
    }

    private async Task RunAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        GenerationResult result = await GenerateAsync(request, cancellationToken);
        ServingTelemetry.RecordGeneration(result, request.Activity);
    }
}
