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
public sealed class ChatCompletionsHandler : GenerationHandler
{
    public const string Endpoint = "chat_completions";

    /// <param name="host">The model host; requests wait up to <see cref="HttpApiOptions.ReadinessWait"/> for it.</param>
    /// <param name="options">The HTTP API settings.</param>
    /// <param name="resolver">Resolves image URLs that are not data URLs; without one, they are refused with 400.</param>
    /// <param name="logger">Where refusals and failures are logged.</param>
    public ChatCompletionsHandler(ModelHost host, IOptions<HttpApiOptions> options, IImageReferenceResolver? resolver = null, ILogger<ChatCompletionsHandler>? logger = null)
        : base(Endpoint, ErrorFormat.OpenAi, host, options, resolver, logger ?? NullLogger<ChatCompletionsHandler>.Instance)
    {
    }

    private protected override async Task<GenerationResult> GenerateAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        HttpContext context = request.Context;
        ChatCompletionRequest chat = await ChatCompletionRequestReader.ReadAsync(context.Request, Options, Resolver, cancellationToken);
        (LlavaEngine engine, IReadOnlyList<PromptMessage> messages) = await PrepareAsync(chat.Messages, chat.Options, chat.Fields, chat.ImageCount, "messages", cancellationToken);
        string model = string.IsNullOrWhiteSpace(chat.Model) ? engine.Manifest.Variant : chat.Model;
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Activity?.SetTag("llava.model", engine.Manifest.Variant);
        if (chat.Stream)
        {
            ChatCompletionSseFormat format = new(id, created, model, chat.IncludeUsage);
            SseSession session = request.OpenEventStream(format, Options.HeartbeatInterval);
            return await GenerationStreamer.StreamAsync(session, format, engine.StreamAsync(messages, chat.Options, cancellationToken), Options.HeartbeatInterval, cancellationToken);
        }

        GenerationResult result = await engine.GenerateAsync(messages, chat.Options, cancellationToken);
        ChatCompletion completion = ChatCompletion.From(id, created, model, result);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(completion, HttpApiJsonContext.Default.ChatCompletion, cancellationToken: cancellationToken);
        return result;
    }
}
