using System.Globalization;
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
/// <c>POST /v1/chat/completions</c>, compatible with OpenAI's Chat Completions API so that OpenAI clients and SDKs
/// work unchanged: images as <c>image_url</c> parts (data URLs, or references for the
/// <see cref="IImageReferenceResolver"/>), <c>stream: true</c> in OpenAI's chunk format ending with <c>[DONE]</c>,
/// errors in OpenAI's envelope.
/// </summary>
public sealed class ChatCompletionsHandler
{
    public const string Endpoint = "chat_completions";

    private readonly ModelHost _host;
    private readonly HttpApiOptions _options;
    private readonly IImageReferenceResolver? _resolver;
    private readonly ILogger _logger;

    /// <param name="host">The model host; requests wait up to <see cref="HttpApiOptions.ReadinessWait"/> for it.</param>
    /// <param name="options">The HTTP API settings.</param>
    /// <param name="resolver">Resolves image URLs that are not data URLs; without one, they are refused with 400.</param>
    /// <param name="logger">Where refusals and failures are logged.</param>
    public ChatCompletionsHandler(ModelHost host, IOptions<HttpApiOptions> options, IImageReferenceResolver? resolver = null, ILogger<ChatCompletionsHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        options.Value.ThrowIfInvalid();
        _host = host;
        _options = options.Value;
        _resolver = resolver;
        _logger = logger ?? NullLogger<ChatCompletionsHandler>.Instance;
    }

    /// <summary>Answers the request on its response; errors are written in OpenAI's envelope with their status.</summary>
    public Task HandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HandleAsync(request.HttpContext, cancellationToken);
    }

    /// <inheritdoc cref="HandleAsync(HttpRequest, CancellationToken)"/>
    public Task HandleAsync(HttpContext context, CancellationToken cancellationToken = default) =>
        ApiRequest.RunAsync(context, Endpoint, ErrorFormat.OpenAi, _logger, HandleCoreAsync, cancellationToken);

    private async Task HandleCoreAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        HttpContext context = request.Context;
        ChatCompletionRequest chat = await ChatCompletionRequestReader.ReadAsync(context.Request, _options, _resolver, cancellationToken);
        LlavaEngine engine = await _host.GetEngineAsync(_options.ReadinessWait, cancellationToken);
        GenerationFieldChecks.ValidateForModel(chat.Options, chat.Fields, chat.ImageCount, "messages", engine);
        IReadOnlyList<PromptMessage> messages = await ImageInputs.ResolveAsync(chat.Messages, _resolver, engine.Options.MaxImageBytes, cancellationToken);
        string model = string.IsNullOrWhiteSpace(chat.Model) ? engine.Manifest.Variant : chat.Model;
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Activity?.SetTag("llava.model", engine.Manifest.Variant);

        GenerationResult result;
        if (chat.Stream)
        {
            ChatCompletionSseFormat format = new(id, created, model, chat.IncludeUsage);
            SseSession session = request.OpenEventStream(format, _options.HeartbeatInterval);
            result = await GenerationStreamer.StreamAsync(session, format, engine.StreamAsync(messages, chat.Options, cancellationToken), _options.HeartbeatInterval, cancellationToken);
        }
        else
        {
            result = await engine.GenerateAsync(messages, chat.Options, cancellationToken);
            ChatCompletion completion = ChatCompletion.From(id, created, model, result);
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(completion, HttpApiJsonContext.Default.ChatCompletion, cancellationToken: cancellationToken);
        }

        ServingTelemetry.RecordGeneration(Endpoint, result, request.Activity);
    }
}
