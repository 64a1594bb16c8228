using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// Reads an OpenAI Chat Completions request: <c>messages</c> (system/developer, user, assistant; content a string
/// or text and image_url parts), <c>max_completion_tokens</c>/<c>max_tokens</c>, <c>temperature</c>, <c>top_p</c>,
/// <c>top_k</c>, <c>seed</c>, <c>stop</c>, <c>stream</c>, <c>stream_options.include_usage</c> and
/// <c>response_format</c>. Fields it does not use are ignored (<c>frequency_penalty</c> and <c>presence_penalty</c>
/// after a range check); features it cannot honour (<c>n</c> &gt; 1, tools) are refused rather than silently
/// dropped. Every refusal names its field in <c>param</c>.
/// </summary>
internal static class ChatCompletionRequestReader
{
    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest request, HttpApiOptions limits, IImageReferenceResolver? resolver, CancellationToken cancellationToken)
    {
        MediaTypeHeaderValue? contentType = MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) ? parsed : null;
        if (request.ContentType is not null && !AskRequestReader.IsJson(contentType))
        {
            throw new HttpApiException(ApiErrorCodes.UnsupportedMediaType, $"Send the request as application/json; got '{request.ContentType}'.");
        }

        ReadOnlyMemory<byte> body = await RequestBody.ReadAllAsync(request, limits.MaxRequestBodyBytes, cancellationToken);
        using JsonDocument document = JsonBody.Parse(body);
        return Parse(document.RootElement, limits, resolver);
    }

    internal static ChatCompletionRequest Parse(JsonElement root, HttpApiOptions limits, IImageReferenceResolver? resolver)
    {
        JsonFields.RequireObject(root, "The request body");
        if (JsonFields.GetInt32(root, "n") is int n && n != 1)
        {
            throw HttpApiException.InvalidField("n", $"'n' must be 1: this server returns one choice; got {n}.");
        }

        if (JsonFields.Get(root, "tools") is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            throw HttpApiException.InvalidField("tools", "'tools' are not supported by this server.");
        }

        foreach (string penalty in (ReadOnlySpan<string>)["frequency_penalty", "presence_penalty"])
        {
            if (JsonFields.GetSingle(root, penalty) is float value && value is < -2 or > 2)
            {
                throw HttpApiException.InvalidField(penalty, $"'{penalty}' must be a number from -2 to 2; got {value}.");
            }
        }

        if (JsonFields.Get(root, "messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
        {
            throw HttpApiException.InvalidField("messages", "'messages' must be a non-empty array.");
        }

        PromptTally tally = new(limits);
        List<PromptMessage> prompt = [];
        int index = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            string path = $"messages[{index++}]";
            tally.AddMessage(path);
            prompt.Add(ParseMessage(message, path, resolver, tally));
        }

        bool stream = JsonFields.GetBoolean(root, "stream") ?? false;
        bool includeUsage = JsonFields.Get(root, "stream_options") is { } streamOptions && (JsonFields.GetBoolean(JsonFields.RequireObjectField(streamOptions, "stream_options"), "include_usage", "stream_options.include_usage") ?? false);
        string maxTokensField = JsonFields.Get(root, "max_completion_tokens") is not null ? "max_completion_tokens" : "max_tokens";
        GenerationFieldNames names = GenerationFieldNames.Chat(maxTokensField);
        GenerationOptions options = new()
        {
            MaxNewTokens = JsonFields.GetInt32(root, maxTokensField) ?? new GenerationOptions().MaxNewTokens,
            Temperature = JsonFields.GetSingle(root, names.Temperature),
            TopP = JsonFields.GetSingle(root, names.TopP),
            TopK = JsonFields.GetInt32(root, names.TopK),
            Seed = JsonFields.GetUInt64(root, names.Seed),
            StopSequences = JsonFields.GetStrings(root, names.Stop),
            Constraint = ParseResponseFormat(root),
        };
        GenerationFieldChecks.Validate(options, names, limits);
        return new ChatCompletionRequest(JsonFields.GetString(root, "model"), prompt, options, stream, includeUsage) { Fields = names, ImageCount = tally.Images };
    }

    private static PromptMessage ParseMessage(JsonElement message, string path, IImageReferenceResolver? resolver, PromptTally tally)
    {
        JsonFields.RequireObjectField(message, path);
        PromptRole role = JsonFields.GetString(message, "role") switch
        {
            "system" or "developer" => PromptRole.System,
            "user" => PromptRole.User,
            "assistant" => PromptRole.Assistant,
            null => throw HttpApiException.InvalidField($"{path}.role", $"'{path}.role' is required."),
            string other => throw HttpApiException.InvalidField($"{path}.role", $"'{path}.role' must be system, developer, user or assistant; '{Truncate(other)}' is not supported."),
        };
        List<PromptPart> parts = [];
        switch (JsonFields.Get(message, "content"))
        {
            case null:
                throw HttpApiException.InvalidField($"{path}.content", $"'{path}.content' is required.");
            case { ValueKind: JsonValueKind.String } text:
                string content = text.GetString()!;
                tally.AddText(content, $"{path}.content");
                parts.Add(new TextPart(content));
                break;
            case { ValueKind: JsonValueKind.Array } array:
                int index = 0;
                foreach (JsonElement part in array.EnumerateArray())
                {
                    parts.Add(ParsePart(part, $"{path}.content[{index++}]", resolver, tally));
                }

                break;
            default:
                throw JsonFields.Invalid($"{path}.content", "a string or an array of content parts");
        }

        if (role != PromptRole.User && parts.Any(p => p is not TextPart))
        {
            throw HttpApiException.InvalidField($"{path}.content", $"'{path}': only user messages may carry images.");
        }

        // System and assistant turns are text; several text parts read as one.
        return role == PromptRole.User || parts.Count == 1
            ? new PromptMessage(role, parts)
            : new PromptMessage(role, [new TextPart(string.Concat(parts.Cast<TextPart>().Select(t => t.Text)))]);
    }

    private static PromptPart ParsePart(JsonElement part, string path, IImageReferenceResolver? resolver, PromptTally tally)
    {
        JsonFields.RequireObjectField(part, path);
        switch (JsonFields.GetString(part, "type"))
        {
            case "text":
                string text = JsonFields.GetString(part, "text") ?? throw HttpApiException.InvalidField($"{path}.text", $"'{path}.text' is required.");
                tally.AddText(text, path);
                return new TextPart(text);
            case "image_url":
                // Counted before the image is decoded, so thousands of images cost no base64 decoding.
                tally.AddImage(path);
                string field = $"{path}.image_url.url";
                string url = JsonFields.Get(part, "image_url") switch
                {
                    { ValueKind: JsonValueKind.Object } image => JsonFields.GetString(image, "url") ?? throw HttpApiException.InvalidField(field, $"'{field}' is required."),
                    { ValueKind: JsonValueKind.String } image => image.GetString()!,
                    _ => throw HttpApiException.InvalidField($"{path}.image_url", $"'{path}.image_url' must be an object with a 'url'."),
                };
                return url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                    ? ImageInputs.FromDataUrl(url, field)
                    : ImageInputs.FromReference(url, resolver, field);
            case null:
                throw HttpApiException.InvalidField($"{path}.type", $"'{path}.type' is required.");
            case string other:
                throw HttpApiException.InvalidField($"{path}.type", $"'{path}.type' must be 'text' or 'image_url'; '{Truncate(other)}' is not supported.");
        }
    }

    private static OutputConstraint? ParseResponseFormat(JsonElement root)
    {
        if (JsonFields.Get(root, "response_format") is not { } format)
        {
            return null;
        }

        JsonFields.RequireObjectField(format, "response_format");
        switch (JsonFields.GetString(format, "type"))
        {
            case null or "text":
                return null;
            case "json_object":
                return OutputConstraint.JsonSchema("""{"type":"object"}""");
            case "json_schema":
                const string SchemaPath = "response_format.json_schema.schema";
                JsonElement schema = JsonFields.Get(format, "json_schema") is { ValueKind: JsonValueKind.Object } wrapper && JsonFields.Get(wrapper, "schema") is { ValueKind: JsonValueKind.Object } inner
                    ? inner
                    : throw HttpApiException.InvalidField(SchemaPath, $"'{SchemaPath}' must be a JSON schema object.");
                JsonSchemaShape.Check(schema, SchemaPath);
                return OutputConstraint.JsonSchema(schema.GetRawText());
            case string other:
                throw HttpApiException.InvalidField("response_format.type", $"'response_format.type' must be text, json_object or json_schema; '{Truncate(other)}' is not supported.");
        }
    }

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "..." : value;
}
