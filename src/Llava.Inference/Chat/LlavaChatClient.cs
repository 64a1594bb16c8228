using System.Runtime.CompilerServices;
using System.Text.Json;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Microsoft.Extensions.AI;

namespace Llava.Inference.Chat;

/// <summary>
/// <see cref="IChatClient"/> over a <see cref="LlavaEngine"/>: text and image <see cref="DataContent"/> in,
/// streamed text out, <see cref="ChatOptions"/> mapped onto the engine's decoding options. (GenAI's own chat
/// client is text-only and drops images.)
/// </summary>
public sealed class LlavaChatClient : IChatClient
{
    private readonly LlavaEngine _engine;
    private readonly bool _ownsEngine;
    private readonly ChatClientMetadata _metadata;

    /// <param name="engine">The loaded model.</param>
    /// <param name="ownsEngine">Dispose the engine with the client.</param>
    public LlavaChatClient(LlavaEngine engine, bool ownsEngine = false)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _ownsEngine = ownsEngine;
        _metadata = new ChatClientMetadata("llava", defaultModelId: engine.Manifest.Variant);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        PromptMessage[] prompt = [.. messages.Select(ToPromptMessage)];
        string responseId = Guid.NewGuid().ToString("N");
        await foreach (GenerationUpdate update in _engine.StreamAsync(prompt, ToGenerationOptions(options), cancellationToken))
        {
            if (update.Completion is { } done)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
                {
                    InputTokenCount = done.Usage.PromptTokens,
                    OutputTokenCount = done.Usage.CompletionTokens,
                    TotalTokenCount = done.Usage.TotalTokens,
                })])
                {
                    ResponseId = responseId,
                    ModelId = _engine.Manifest.Variant,
                    FinishReason = done.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
                };
            }
            else if (update.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, update.Text) { ResponseId = responseId, ModelId = _engine.Manifest.Variant };
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_engine) ? _engine
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (_ownsEngine)
        {
            _engine.Dispose();
        }
    }

    private static PromptMessage ToPromptMessage(ChatMessage message)
    {
        PromptRole role = message.Role == ChatRole.System ? PromptRole.System
            : message.Role == ChatRole.Assistant ? PromptRole.Assistant
            : message.Role == ChatRole.User ? PromptRole.User
            : throw new NotSupportedException($"Chat role '{message.Role}' is not supported; use system, user or assistant.");
        List<PromptPart> parts = [];
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    parts.Add(new TextPart(text.Text));
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    parts.Add(new ImagePart(data.Data));
                    break;
                case UriContent uri:
                    throw new NotSupportedException($"Images by URL ({uri.Uri}) are not fetched; pass the bytes as DataContent.");
                default:
                    throw new NotSupportedException($"Content of type {content.GetType().Name} is not supported; send text and image DataContent.");
            }
        }

        return new PromptMessage(role, parts);
    }

    private static GenerationOptions ToGenerationOptions(ChatOptions? options)
    {
        if (options is null)
        {
            return new GenerationOptions();
        }

        OutputConstraint? constraint = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: JsonElement schema } => OutputConstraint.JsonSchema(schema.GetRawText()),
            ChatResponseFormatJson => OutputConstraint.JsonSchema("""{"type":"object"}"""),
            _ => null,
        };
        float? repetition = options.AdditionalProperties?.TryGetValue("repetition_penalty", out float penalty) == true ? penalty : null;
        return new GenerationOptions
        {
            MaxNewTokens = options.MaxOutputTokens ?? new GenerationOptions().MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            Seed = options.Seed is long seed ? unchecked((ulong)seed) : null,
            StopSequences = options.StopSequences is { } stops ? [.. stops] : [],
            RepetitionPenalty = repetition,
            Constraint = constraint,
        };
    }
}
