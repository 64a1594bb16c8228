using System.Globalization;
using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// Reads <c>POST /api/ask</c> from a multipart form (file field <c>image</c>) or a JSON object (<c>image</c> as base64
/// or a data: URL, or <c>imageUrl</c>); both take <c>question</c>, <c>system</c>, <c>maxTokens</c>,
/// <c>temperature</c>, <c>topP</c>, <c>topK</c>, <c>seed</c> and <c>stop</c>.
/// </summary>
internal static class AskRequestReader
{
    private const int MaxTextFieldBytes = 256 * 1024;
    private const int MaxSections = 64;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Task<AskRequest> ReadAsync(HttpRequest request, HttpApiOptions limits, IImageReferenceResolver? resolver, CancellationToken cancellationToken)
    {
        MediaTypeHeaderValue? contentType = MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) ? parsed : null;
        if (contentType?.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
        {
            return ReadMultipartAsync(request, contentType, limits, resolver, cancellationToken);
        }

        if (IsJson(contentType))
        {
            return ReadJsonAsync(request, limits, resolver, cancellationToken);
        }

        throw new HttpApiException(ApiErrorCodes.UnsupportedMediaType,
            $"Send the question as multipart/form-data (an 'image' file and a 'question' field) or as application/json; got '{request.ContentType ?? "no content type"}'.");
    }

    internal static bool IsJson(MediaTypeHeaderValue? contentType) =>
        contentType is not null &&
        (contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         contentType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static async Task<AskRequest> ReadJsonAsync(HttpRequest request, HttpApiOptions limits, IImageReferenceResolver? resolver, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body = await RequestBody.ReadAllAsync(request, limits.MaxRequestBodyBytes, cancellationToken);
        using JsonDocument document = JsonBody.Parse(body);
        JsonElement root = JsonFields.RequireObject(document.RootElement, "The request body");
        string? image = JsonFields.GetString(root, "image");
        string? imageUrl = JsonFields.GetString(root, "imageUrl");
        PromptPart part = (image, imageUrl) switch
        {
            (not null, not null) => throw HttpApiException.InvalidField("imageUrl", "Send either 'image' or 'imageUrl', not both."),
            (not null, null) => ImageInputs.FromBase64(image, "image"),
            (null, not null) => ImageInputs.FromReference(imageUrl, resolver, "imageUrl"),
            _ => throw HttpApiException.InvalidField("image", "An image is required: 'image' (base64 or a data: URL) or 'imageUrl'."),
        };
        GenerationOptions options = new()
        {
            MaxNewTokens = JsonFields.GetInt32(root, "maxTokens") ?? new GenerationOptions().MaxNewTokens,
            Temperature = JsonFields.GetSingle(root, "temperature"),
            TopP = JsonFields.GetSingle(root, "topP"),
            TopK = JsonFields.GetInt32(root, "topK"),
            Seed = JsonFields.GetUInt64(root, "seed"),
            StopSequences = JsonFields.GetStrings(root, "stop"),
        };
        return Finish(part, JsonFields.GetString(root, "question"), JsonFields.GetString(root, "system"), options, limits);
    }

    /// <summary>The checks both forms share: the question, the prompt text limit, the generation options.</summary>
    private static AskRequest Finish(PromptPart image, string? question, string? system, GenerationOptions options, HttpApiOptions limits)
    {
        PromptTally tally = new(limits);
        tally.AddChars(RequireQuestion(question), "question");
        if (system is not null)
        {
            tally.AddChars(system, "system");
        }

        GenerationFieldChecks.Validate(options, GenerationFieldNames.Ask, limits);
        return new AskRequest(image, question!, system, options);
    }

    private static async Task<AskRequest> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue contentType, HttpApiOptions limits, IImageReferenceResolver? resolver, CancellationToken cancellationToken)
    {
        long maxBodyBytes = limits.MaxRequestBodyBytes;
        string boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value ?? "";
        if (boundary.Length is 0 or > 200)
        {
            throw HttpApiException.BadRequest("The multipart/form-data content type has no valid boundary.");
        }

        MultipartReader reader = new(boundary, RequestBody.Open(request, maxBodyBytes)) { HeadersLengthLimit = 16 * 1024, BodyLengthLimit = maxBodyBytes };
        Dictionary<string, string> fields = new(StringComparer.Ordinal);
        List<string> stops = [];
        ReadOnlyMemory<byte>? image = null;
        int sections = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (++sections > MaxSections)
                {
                    throw HttpApiException.BadRequest($"Too many form fields (at most {MaxSections}).");
                }

                string name = FieldName(section);
                if (name == "image")
                {
                    image = image is null ? await ReadBytesAsync(section.Body, cancellationToken) : throw HttpApiException.InvalidField("image", "Send one 'image' per request.");
                }
                else
                {
                    string value = await ReadTextAsync(section.Body, name, cancellationToken);
                    if (name == "stop")
                    {
                        stops.Add(value);
                    }
                    else if (!fields.TryAdd(name, value))
                    {
                        throw HttpApiException.InvalidField(name, $"The form field '{name}' appears more than once.");
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            // MultipartReader's message for a malformed form or a section over its limit.
            throw ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? HttpApiException.TooLarge(maxBodyBytes)
                : HttpApiException.BadRequest("The multipart/form-data body is malformed: " + ex.Message);
        }
        catch (IOException ex) when (ex.Message.Contains("Unexpected end of Stream", StringComparison.OrdinalIgnoreCase))
        {
            throw HttpApiException.BadRequest("The multipart/form-data body ended early.");
        }

        string? imageUrl = fields.GetValueOrDefault("imageUrl");
        PromptPart part = (image, imageUrl) switch
        {
            (not null, not null) => throw HttpApiException.InvalidField("imageUrl", "Send either an 'image' file or 'imageUrl', not both."),
            ({ } bytes, null) => new ImagePart(bytes),
            (null, not null) => ImageInputs.FromReference(imageUrl, resolver, "imageUrl"),
            _ => throw HttpApiException.InvalidField("image", "An image is required: a file field named 'image' (or an 'imageUrl' field)."),
        };
        GenerationOptions options = new()
        {
            MaxNewTokens = ParseInt32(fields, "maxTokens") ?? new GenerationOptions().MaxNewTokens,
            Temperature = ParseSingle(fields, "temperature"),
            TopP = ParseSingle(fields, "topP"),
            TopK = ParseInt32(fields, "topK"),
            Seed = fields.TryGetValue("seed", out string? seed) ? (ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : throw Invalid("seed", "a non-negative integer (at most 18446744073709551615)", seed)) : null,
            StopSequences = stops,
        };
        return Finish(part, fields.GetValueOrDefault("question"), fields.GetValueOrDefault("system"), options, limits);
    }

    private static string RequireQuestion(string? question) =>
        string.IsNullOrWhiteSpace(question) ? throw HttpApiException.InvalidField("question", "'question' is required.") : question;

    private static string FieldName(MultipartSection section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition) ||
            !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
        {
            throw HttpApiException.BadRequest("Every part of the multipart/form-data body needs a Content-Disposition: form-data header with a name.");
        }

        return name;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(Stream section, CancellationToken cancellationToken)
    {
        using MemoryStream buffer = new();
        await section.CopyToAsync(buffer, cancellationToken);
        return buffer.TryGetBuffer(out ArraySegment<byte> bytes) ? bytes : buffer.ToArray();
    }

    private static async Task<string> ReadTextAsync(Stream section, string name, CancellationToken cancellationToken)
    {
        using MemoryStream buffer = new();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await section.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxTextFieldBytes)
            {
                throw HttpApiException.InvalidField(name, $"The form field '{name}' is longer than {MaxTextFieldBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return s_strictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw HttpApiException.InvalidField(name, $"The form field '{name}' is not valid UTF-8 text.");
        }
    }

    private static int? ParseInt32(Dictionary<string, string> fields, string name) =>
        !fields.TryGetValue(name, out string? value) ? null
        : int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number) ? number
        : throw Invalid(name, "an integer from -2147483648 to 2147483647", value);

    private static float? ParseSingle(Dictionary<string, string> fields, string name) =>
        !fields.TryGetValue(name, out string? value) ? null
        : float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float number) && float.IsFinite(number) ? number
        : throw Invalid(name, "a finite number", value);

    private static HttpApiException Invalid(string name, string expected, string sent) =>
        HttpApiException.InvalidField(name, $"'{name}' must be {expected}; got '{(sent.Length > 40 ? sent[..40] + "..." : sent)}'.");
}
