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
public sealed class AskHandler : GenerationHandler
{
    public const string Endpoint = "ask";

    /// <param name="host">The model host; requests wait up to <see cref="HttpApiOptions.ReadinessWait"/> for it.</param>
    /// <param name="options">The HTTP API settings.</param>
    /// <param name="resolver">Resolves <c>imageUrl</c>; without one, references are refused with 400.</param>
    /// <param name="logger">Where refusals and failures are logged.</param>
    public AskHandler(ModelHost host, IOptions<HttpApiOptions> options, IImageReferenceResolver? resolver = null, ILogger<AskHandler>? logger = null)
        : base(Endpoint, ErrorFormat.Problem, host, options, resolver, logger ?? NullLogger<AskHandler>.Instance)
    {
    }

    internal static bool WantsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private protected override async Task<GenerationResult> GenerateAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        HttpContext context = request.Context;
        AskRequest ask = await AskRequestReader.ReadAsync(context.Request, Options, Resolver, cancellationToken);
        (LlavaEngine engine, IReadOnlyList<PromptMessage> messages) = await PrepareAsync(ask.ToMessages(), ask.Options, GenerationFieldNames.Ask, 1, "image", cancellationToken);
        string model = engine.Manifest.Variant;
        request.Activity?.SetTag("llava.model", model);
        if (WantsEventStream(context.Request))
        {
            AskSseFormat format = new(model, context.Request.Path);
            SseSession session = request.OpenEventStream(format, Options.HeartbeatInterval);
            return await GenerationStreamer.StreamAsync(session, format, engine.StreamAsync(messages, ask.Options, cancellationToken), Options.HeartbeatInterval, cancellationToken);
        }

        GenerationResult result = await engine.GenerateAsync(messages, ask.Options, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(AskResponse.From(result, model), HttpApiJsonContext.Default.AskResponse, cancellationToken: cancellationToken);
        return result;
    }
}
