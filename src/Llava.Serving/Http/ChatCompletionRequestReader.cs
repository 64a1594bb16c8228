using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Llava.Serving.Http;

/// <summary>
/// Reads an OpenAI Chat Completions request: <c>messages</c> (system/developer, user, assistant; content a string
/// or text and image_url parts), <c>max_completion_tokens</c>/<c>max_tokens</c>, <c>temperature</c>, <c>top_p</c>,
/// <c>top_k</c>, <c>seed</c>, <c>stop</c>, <c>stream</c>, <c>stream_options.include_usage</c> and
/// <c>response_format</c>. Fields it does not use are ignored; features it cannot honour (<c>n</c> &gt; 1, tools)
/// are refused rather than silently dropped.
/// </summary>
internal static class ChatCompletionRequestReader
{
    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest request, long maxBodyBytes, IImageReferenceResolver? resolver, CancellationToken cancellationToken)
    {
        MediaTypeHeaderValue? contentType = MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) ? parsed : null;
        if (request.ContentType is not null && !AskRequestReader.IsJson(contentType))
        {
            throw new HttpApiException(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.UnsupportedMediaType, $"Send the request as application/json; got '{request.ContentType}'.");
        }

        ReadOnlyMemory<byte> body = await RequestBody.ReadAllAsync(request, maxBodyBytes, cancellationToken);
        using JsonDocument document = JsonDocument.Parse(body);
        return Parse(document.RootElement, resolver);
    }

    internal static ChatCompletionRequest Parse(JsonElement root, IImageReferenceResolver? resolver)
    {
        JsonFields.RequireObject(root, "The request body");
        if (JsonFields.GetInt32(root, "n") is int n && n != 1)
        {
            throw HttpApiException.BadRequest($"'n' must be 1: this server returns one choice; got {n}.");
        }

        if (JsonFields.Get(root, "tools") is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            throw HttpApiException.BadRequest("'tools' are not supported by this server.");
        }

        if (JsonFields.Get(root, "messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
        {
            throw HttpApiException.BadRequest("'messages' must be a non-empty array.");
        }

        List<PromptMessage> prompt = [];
        int index = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            prompt.Add(ParseMessage(message, $"messages[{index++}]", resolver));
        }

        bool stream = JsonFields.GetBoolean(root, "stream") ?? false;
        bool includeUsage = JsonFields.Get(root, "stream_options") is { } streamOptions && (JsonFields.GetBoolean(JsonFields.RequireObject(streamOptions, "'stream_options'"), "include_usage") ?? false);
        GenerationOptions options = new()
        {
            MaxNewTokens = JsonFields.GetInt32(root, "max_completion_tokens") ?? JsonFields.GetInt32(root, "max_tokens") ?? new GenerationOptions().MaxNewTokens,
            Temperature = JsonFields.GetSingle(root, "temperature"),
            TopP = JsonFields.GetSingle(root, "top_p"),
            TopK = JsonFields.GetInt32(root, "top_k"),
            Seed = JsonFields.GetInt64(root, "seed") is long seed ? unchecked((ulong)seed) : null,
            StopSequences = JsonFields.GetStrings(root, "stop"),
            Constraint = ParseResponseFormat(root),
        };
        return new ChatCompletionRequest(JsonFields.GetString(root, "model"), prompt, options, stream, includeUsage);
    }

    private static PromptMessage ParseMessage(JsonElement message, string path, IImageReferenceResolver? resolver)
    {
        JsonFields.RequireObject(message, path);
        PromptRole role = JsonFields.GetString(message, "role") switch
        {
            "system" or "developer" => PromptRole.System,
            "user" => PromptRole.User,
            "assistant" => PromptRole.Assistant,
            null => throw HttpApiException.BadRequest($"'{path}.role' is required."),
            string other => throw HttpApiException.BadRequest($"'{path}.role' must be system, developer, user or assistant; '{other}' is not supported."),
        };
        List<PromptPart> parts = [];
        switch (JsonFields.Get(message, "content"))
        {
            case null:
                throw HttpApiException.BadRequest($"'{path}.content' is required.");
            case { ValueKind: JsonValueKind.String } text:
                parts.Add(new TextPart(text.GetString()!));
                break;
            case { ValueKind: JsonValueKind.Array } array:
                int index = 0;
                foreach (JsonElement part in array.EnumerateArray())
                {
                    parts.Add(ParsePart(part, $"{path}.content[{index++}]", resolver));
                }

                break;
            default:
                throw JsonFields.Invalid($"{path}.content", "a string or an array of content parts");
        }

        if (role != PromptRole.User && parts.Any(p => p is not TextPart))
        {
            throw HttpApiException.BadRequest($"'{path}': only user messages may carry images.");
        }

        // System and assistant turns are text; several text parts read as one.
        return role == PromptRole.User || parts.Count == 1
            ? new PromptMessage(role, parts)
            : new PromptMessage(role, [new TextPart(string.Concat(parts.Cast<TextPart>().Select(t => t.Text)))]);
    }

    private static PromptPart ParsePart(JsonElement part, string path, IImageReferenceResolver? resolver)
    {
        JsonFields.RequireObject(part, path);
        switch (JsonFields.GetString(part, "type"))
        {
            case "text":
                return new TextPart(JsonFields.GetString(part, "text") ?? throw HttpApiException.BadRequest($"'{path}.text' is required."));
            case "image_url":
                string url = JsonFields.Get(part, "image_url") switch
                {
                    { ValueKind: JsonValueKind.Object } image => JsonFields.GetString(image, "url") ?? throw HttpApiException.BadRequest($"'{path}.image_url.url' is required."),
                    { ValueKind: JsonValueKind.String } image => image.GetString()!,
                    _ => throw HttpApiException.BadRequest($"'{path}.image_url' must be an object with a 'url'."),
                };
                return url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                    ? ImageInputs.FromDataUrl(url, $"{path}.image_url.url")
                    : ImageInputs.FromReference(url, resolver, $"{path}.image_url.url");
            case null:
                throw HttpApiException.BadRequest($"'{path}.type' is required.");
            case string other:
                throw HttpApiException.BadRequest($"'{path}.type' must be 'text' or 'image_url'; '{other}' is not supported.");
        }
    }

    private static OutputConstraint? ParseResponseFormat(JsonElement root)
    {
        if (JsonFields.Get(root, "response_format") is not { } format)
        {
            return null;
        }

        JsonFields.RequireObject(format, "'response_format'");
        switch (JsonFields.GetString(format, "type"))
        {
            case null or "text":
                return null;
            case "json_object":
                return OutputConstraint.JsonSchema("""{"type":"object"}""");
            case "json_schema":
                JsonElement schema = JsonFields.Get(format, "json_schema") is { ValueKind: JsonValueKind.Object } wrapper && JsonFields.Get(wrapper, "schema") is { ValueKind: JsonValueKind.Object } inner
                    ? inner
                    : throw HttpApiException.BadRequest("'response_format.json_schema.schema' must be a JSON schema object.");
                return OutputConstraint.JsonSchema(schema.GetRawText());
            case string other:
                throw HttpApiException.BadRequest($"'response_format.type' must be text, json_object or json_schema; '{other}' is not supported.");
        }
    }
}
