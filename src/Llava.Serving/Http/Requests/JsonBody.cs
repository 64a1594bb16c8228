using System.Text.Json;
using System.Text.Unicode;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// Parses a JSON request body strictly. System.Text.Json accepts invalid UTF-8 and lone UTF-16 surrogates
/// (<c>"\ud800"</c>) inside strings and only fails when a string is read, with an
/// <see cref="InvalidOperationException"/> that would surface as a 500; every string and property name is checked
/// here first, so such a body is a 400 <c>invalid_json</c> like any other malformed one.
/// </summary>
internal static class JsonBody
{
    /// <summary>Deepest nesting accepted (JSON Schemas in <c>response_format</c> included).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = MaxDepth };

    /// <summary>The parsed document (the caller disposes it); a leading UTF-8 byte order mark is skipped.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        ValidateText(body.Span);
        try
        {
            return JsonDocument.Parse(body, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw HttpApiException.InvalidJson("The request body is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>Throws <c>invalid_json</c> for malformed JSON, invalid UTF-8 or an unpaired surrogate escape.</summary>
    internal static void ValidateText(ReadOnlySpan<byte> body)
    {
        Utf8JsonReader reader = new(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    CheckString(reader.ValueSpan, reader.ValueIsEscaped, reader.TokenStartIndex);
                }
            }
        }
        catch (JsonException ex)
        {
            throw HttpApiException.InvalidJson("The request body is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>A string token as it stands in the body (escapes not yet undone): valid UTF-8, every <c>\u</c> surrogate paired.</summary>
    private static void CheckString(ReadOnlySpan<byte> raw, bool escaped, long position)
    {
        if (!Utf8.IsValid(raw))
        {
            throw HttpApiException.InvalidJson($"The request body is not valid JSON: a string at byte {position} is not valid UTF-8.");
        }

        if (!escaped)
        {
            return;
        }

        // The reader has checked the escape syntax; what it lets through is a \uD800-\uDBFF not followed by a
        // \uDC00-\uDFFF, or a \uDC00-\uDFFF on its own, which no UTF-8 (or well-formed UTF-16) string can hold.
        int i = 0;
        while ((i = IndexOfBackslash(raw, i)) >= 0)
        {
            if (raw[i + 1] != (byte)'u')
            {
                i += 2;
                continue;
            }

            int unit = Hex4(raw.Slice(i + 2, 4));
            i += 6;
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                throw LoneSurrogate(unit, position);
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 6 > raw.Length || raw[i] != (byte)'\\' || raw[i + 1] != (byte)'u' || Hex4(raw.Slice(i + 2, 4)) is < 0xDC00 or > 0xDFFF)
                {
                    throw LoneSurrogate(unit, position);
                }

                i += 6;
            }
        }
    }

    private static int IndexOfBackslash(ReadOnlySpan<byte> raw, int from)
    {
        int found = raw[from..].IndexOf((byte)'\\');
        return found < 0 ? -1 : from + found;
    }

    private static int Hex4(ReadOnlySpan<byte> digits)
    {
        int value = 0;
        foreach (byte digit in digits)
        {
            value = (value << 4) | digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                _ => digit - 'A' + 10,
            };
        }

        return value;
    }

    private static HttpApiException LoneSurrogate(int unit, long position) =>
        HttpApiException.InvalidJson($"The request body is not valid JSON text: a string at byte {position} holds the unpaired surrogate \\u{unit:X4}, which is not a character.");
}
