using System.Text;

namespace Llava.Testing.Abuse;

/// <summary>
/// HTTP abuse of <c>/api/ask</c> and <c>/v1/chat/completions</c>, as an attacker or a careless client sends it:
/// thousands of text parts and messages, huge and non-finite numbers, bad schemas, invalid UTF-8 and lone
/// surrogates, bodies over the limit (declared and chunked), wrong content types, truncated multipart, deep
/// nesting. Each request carries the status, code and field the server's defaults must answer with; none may get
/// a 5xx. The server is expected to run with the default <c>HttpApiOptions</c> and engine limits.
/// </summary>
public static class AbuseSet
{
    private const string Chat = "/v1/chat/completions";
    private const string Ask = "/api/ask";

    /// <param name="image">A small valid PNG.</param>
    public static IReadOnlyList<AbuseRequest> Build(byte[] image)
    {
        string dataUrl = "data:image/png;base64," + Convert.ToBase64String(image);
        string imagePart = $$$"""{"type":"image_url","image_url":{"url":"{{{dataUrl}}}"}}""";
        string base64 = Convert.ToBase64String(image);
        List<AbuseRequest> set = [];

        // Sheer size inside a legal body: refused by counting, before any decoding or tokenization.
        set.Add(new("chat: 20,000 one-word text parts", () => ChatJson(ChatWithParts(imagePart, Enumerable.Repeat("""{"type":"text","text":"a "}""", 20_000))), 400, "too_many_content_parts", "messages[0].content[512]"));
        set.Add(new("chat: 20,000 messages", () => ChatJson($$"""{"max_tokens":1,"messages":[{{string.Join(",", Enumerable.Repeat("""{"role":"user","content":"hi"}""", 20_000))}}]}"""), 400, "too_many_messages", "messages[256]"));
        set.Add(new("chat: 300,000 characters of text", () => ChatJson(ChatWithParts(imagePart, [$$"""{"type":"text","text":"{{new string('a', 300_000)}}"}"""])), 400, "prompt_text_too_long", "messages[0].content[1]"));
        set.Add(new("chat: 200 text parts of 1,000 characters", () => ChatJson(ChatWithParts(imagePart, Enumerable.Repeat($$"""{"type":"text","text":"{{new string('b', 1000)}}"}""", 200))), 400, "prompt_text_too_long", null));
        set.Add(new("ask json: a 300,000-character question", () => AskJson($$"""{"image":"{{base64}}","question":"{{new string('q', 300_000)}}"}"""), 400, "prompt_text_too_long", "question"));
        set.Add(new("chat: 5 images (limit 4)", () => ChatJson(ChatWithParts(imagePart, [imagePart, imagePart, imagePart, imagePart, """{"type":"text","text":"?"}"""])), 400, "too_many_images", "messages"));
        set.Add(new("chat: 600 image parts", () => ChatJson(ChatWithParts(imagePart, Enumerable.Repeat("""{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}""", 600))), 400, "too_many_content_parts", null));

        // Numbers: overflow, NaN and infinities (as strings, as JSON has none), out of range.
        foreach ((string field, string value, string? param) in new (string, string, string?)[]
        {
            ("max_tokens", "2147483647", "max_tokens"), ("max_tokens", "2147483648", "max_tokens"), ("max_tokens", "1e300", "max_tokens"),
            ("max_tokens", "-1", "max_tokens"), ("max_tokens", "0", "max_tokens"), ("max_tokens", "4.5", "max_tokens"), ("max_tokens", "\"64\"", "max_tokens"),
            ("max_completion_tokens", "99999999999999999999", "max_completion_tokens"), ("max_completion_tokens", "2147483647", "max_completion_tokens"),
            ("temperature", "\"NaN\"", "temperature"), ("temperature", "\"Infinity\"", "temperature"), ("temperature", "1e400", "temperature"),
            ("temperature", "-0.5", "temperature"), ("temperature", "11", "temperature"), ("temperature", "true", "temperature"),
            ("top_p", "0", "top_p"), ("top_p", "1.5", "top_p"), ("top_p", "-1e-30", "top_p"), ("top_p", "\"NaN\"", "top_p"),
            ("top_k", "0", "top_k"), ("top_k", "-3", "top_k"), ("top_k", "1000000000", "top_k"), ("top_k", "2147483648", "top_k"),
            ("seed", "-1", "seed"), ("seed", "1e30", "seed"), ("seed", "18446744073709551616", "seed"), ("seed", "\"x\"", "seed"),
            ("n", "2", "n"), ("n", "0", "n"), ("n", "2147483648", "n"),
            ("frequency_penalty", "5", "frequency_penalty"), ("presence_penalty", "-1e39", "presence_penalty"), ("presence_penalty", "\"NaN\"", "presence_penalty"),
            ("stop", "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop"), ("stop", "\"\"", "stop"), ("stop", $"\"{new string('s', 10_000)}\"", "stop"), ("stop", "[1,2]", "stop"), ("stop", "{}", "stop"),
            ("stream", "\"yes\"", "stream"), ("stream_options", "[]", "stream_options"), ("stream_options", "{\"include_usage\":\"yes\"}", "stream_options.include_usage"), ("tools", "[{\"type\":\"function\"}]", "tools"),
        })
        {
            set.Add(new($"chat: {field} = {Short(value)}", () => ChatJson($$"""{"{{field}}":{{value}},"messages":[{"role":"user","content":[{{imagePart}},{"type":"text","text":"?"}]}]}"""), 400, "invalid_request", param));
        }

        foreach ((string field, string value) in new (string, string)[]
        {
            ("maxTokens", "2147483647"), ("maxTokens", "-1"), ("maxTokens", "1e10"), ("temperature", "\"NaN\""), ("temperature", "1e39"), ("topP", "0"),
            ("topK", "100000000"), ("topK", "0"), ("seed", "-5"), ("stop", "[\"\"]"),
        })
        {
            set.Add(new($"ask json: {field} = {value}", () => AskJson($$"""{"image":"{{base64}}","question":"?","{{field}}":{{value}}}"""), 400, "invalid_request", field));
        }

        foreach ((string field, string value) in new (string, string)[]
        {
            ("maxTokens", "2147483647"), ("maxTokens", "2147483648"), ("maxTokens", "-7"), ("temperature", "NaN"), ("temperature", "Infinity"), ("temperature", "-Infinity"),
            ("temperature", "1e39"), ("topP", "NaN"), ("topP", "2"), ("topK", "0"), ("topK", "999999999"), ("seed", "-1"), ("seed", "0x10"),
        })
        {
            set.Add(new($"ask form: {field} = {value}", () => AskForm(image, ("question", "?"), (field, value)), 400, "invalid_request", field));
        }

        set.Add(new("ask form: 5 stop fields", () => AskForm(image, ("question", "?"), ("stop", "a"), ("stop", "b"), ("stop", "c"), ("stop", "d"), ("stop", "e")), 400, "invalid_request", "stop"));
        set.Add(new("ask form: 100 fields", () => AskForm(image, [("question", "?"), .. Enumerable.Range(0, 100).Select(i => ($"f{i}", "x"))]), 400, "invalid_request", null));
        set.Add(new("ask form: question twice", () => AskForm(image, ("question", "?"), ("question", "!")), 400, "invalid_request", "question"));
        set.Add(new("ask form: question not UTF-8", () => AskFormBytes(image, "question", [0x57, 0xff, 0xfe, 0x3f]), 400, "invalid_request", "question"));
        set.Add(new("ask form: no question", () => AskForm(image), 400, "invalid_request", "question"));
        set.Add(new("ask form: two images", () => AskFormTwoImages(image), 400, "invalid_request", "image"));
        set.Add(new("ask form: a 300 KiB text field", () => AskForm(image, ("question", new string('x', 300 * 1024))), 400, "invalid_request", "question"));

        // Structured fields.
        foreach ((string format, string? param) in new (string, string?)[]
        {
            ("""{"type":"xml"}""", "response_format.type"),
            ("""{"type":"json_schema"}""", "response_format.json_schema.schema"),
            ("""{"type":"json_schema","json_schema":{"schema":"{}"}}""", "response_format.json_schema.schema"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"strin"}}}""", "response_format.json_schema.schema.type"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":[]}}}""", "response_format.json_schema.schema.type"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"object","properties":5}}}""", "response_format.json_schema.schema.properties"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"object","properties":{"a":{"type":7}}}}}""", "response_format.json_schema.schema.properties.a.type"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"object","required":"a"}}}""", "response_format.json_schema.schema.required"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"string","minLength":-1}}}""", "response_format.json_schema.schema.minLength"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"string","maxLength":1.5}}}""", "response_format.json_schema.schema.maxLength"),
            ("""{"type":"json_schema","json_schema":{"schema":{"type":"number","multipleOf":0}}}""", "response_format.json_schema.schema.multipleOf"),
            ("""{"type":"json_schema","json_schema":{"schema":{"$ref":"http://169.254.169.254/latest/meta-data"}}}""", "response_format.json_schema.schema.$ref"),
            ("""{"type":"json_schema","json_schema":{"schema":{"$ref":"#/$defs/missing"}}}""", "response_format.json_schema.schema.$ref"),
            ("""{"type":"json_schema","json_schema":{"schema":{"anyOf":[]}}}""", "response_format.json_schema.schema.anyOf"),
            ("""{"type":"json_schema","json_schema":{"schema":{"items":[1]}}}""", "response_format.json_schema.schema.items[0]"),
            ("""{"type":"json_schema","json_schema":{"schema":{"enum":[]}}}""", "response_format.json_schema.schema.enum"),
            ("\"json\"", "response_format"),
        })
        {
            set.Add(new($"chat: response_format {Short(format)}", () => ChatJson($$"""{"max_tokens":4,"response_format":{{format}},"messages":[{"role":"user","content":[{{imagePart}},{"type":"text","text":"?"}]}]}"""), 400, "invalid_request", param));
        }

        foreach ((string messages, string? param) in new (string, string?)[]
        {
            ("[]", "messages"), ("{}", "messages"), ("\"hi\"", "messages"), ("[1]", "messages[0]"), ("[{\"content\":\"hi\"}]", "messages[0].role"),
            ("[{\"role\":\"tool\",\"content\":\"hi\"}]", "messages[0].role"), ("[{\"role\":\"user\"}]", "messages[0].content"), ("[{\"role\":\"user\",\"content\":42}]", "messages[0].content"),
            ("[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]", "messages[0].content[0].type"), ("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]", "messages[0].content[0].text"),
            ("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}]", "messages[0].content[0].image_url.url"),
            ("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "messages[0].content[0].image_url"),
            ($$"""[{"role":"assistant","content":[{{imagePart}}]}]""", "messages[0].content"),
        })
        {
            set.Add(new($"chat: messages {Short(messages)}", () => ChatJson($$"""{"max_tokens":1,"messages":{{messages}}}"""), 400, "invalid_request", param));
        }

        set.Add(new("chat: no user message", () => ChatJson("""{"max_tokens":1,"messages":[{"role":"system","content":"be brief"}]}"""), 400, "invalid_request", null));
        set.Add(new("chat: image placeholder text", () => ChatJson("""{"max_tokens":1,"messages":[{"role":"user","content":"<image> hi"}]}"""), 400, "invalid_request", null));
        set.Add(new("chat: invalid base64 image", () => ChatJson("""{"max_tokens":1,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@@"}}]}]}"""), 400, "invalid_image", "messages[0].content[0].image_url.url"));
        foreach (string url in new[] { "http://169.254.169.254/latest/meta-data/", "https://example.com/cat.png", "file:///etc/passwd", "images/cat.png", "//evil/x" })
        {
            set.Add(new($"chat: image url {url}", () => ChatJson($$$"""{"max_tokens":1,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"{{{url}}}"}}]}]}"""), 400, "image_reference_refused", null));
        }

        set.Add(new("ask json: imageUrl to the metadata service", () => AskJson("""{"imageUrl":"http://169.254.169.254/latest/meta-data/","question":"?"}"""), 400, "image_reference_refused", "imageUrl"));

        // Text that is not text.
        foreach ((string where, byte[] body) in new (string, byte[])[]
        {
            ("chat: invalid UTF-8 in a text part", Concat("""{"max_tokens":1,"messages":[{"role":"user","content":"a"""u8, [0xff, 0xfe], "\"}]}"u8)),
            ("chat: an overlong UTF-8 slash", Concat("""{"max_tokens":1,"messages":[{"role":"user","content":"a"""u8, [0xc0, 0xaf], "\"}]}"u8)),
            ("chat: a UTF-8-encoded surrogate", Concat("""{"max_tokens":1,"messages":[{"role":"user","content":"a"""u8, [0xed, 0xa0, 0x80], "\"}]}"u8)),
            ("chat: invalid UTF-8 in a property name", Concat("""{"max_tokens":1,"""u8, [0x22, 0xff, 0x22], """:1,"messages":[{"role":"user","content":"hi"}]}"""u8)),
            ("chat: a lone high surrogate", """{"max_tokens":1,"messages":[{"role":"user","content":"\ud800"}]}"""u8.ToArray()),
            ("chat: a lone low surrogate", """{"max_tokens":1,"messages":[{"role":"user","content":"x\udc00y"}]}"""u8.ToArray()),
            ("chat: a high surrogate then a letter", """{"max_tokens":1,"messages":[{"role":"user","content":"\ud83d\u0041"}]}"""u8.ToArray()),
            ("chat: a lone surrogate in the role", """{"max_tokens":1,"messages":[{"role":"\udbff","content":"hi"}]}"""u8.ToArray()),
            ("chat: a lone surrogate in a stop", """{"max_tokens":1,"stop":["\ud800"],"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray()),
            ("chat: a lone surrogate in a schema", """{"max_tokens":1,"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object","properties":{"\ud800":{"type":"string"}}}}},"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray()),
            ("chat: not JSON", "{\"messages\":"u8.ToArray()),
            ("chat: empty body", []),
            ("chat: NaN literal", """{"temperature":NaN,"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray()),
            ("chat: trailing garbage", """{"messages":[{"role":"user","content":"hi"}]} x"""u8.ToArray()),
            ("chat: 10,000 nested arrays", Encoding.ASCII.GetBytes("{\"messages\":" + new string('[', 10_000) + new string(']', 10_000) + "}")),
            ("chat: a schema nested 100 deep", Encoding.ASCII.GetBytes("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":" + string.Concat(Enumerable.Repeat("{\"not\":", 100)) + "{}" + new string('}', 100) + "}},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
        })
        {
            set.Add(new(where, () => ChatBytes(body), 400, "invalid_json", null));
        }

        set.Add(new("chat: a JSON array body", () => ChatJson("[]"), 400, "invalid_request", null));
        set.Add(new("ask json: a lone surrogate in the question", () => AskJsonBytes(Encoding.ASCII.GetBytes($$"""{"image":"{{base64}}","question":"why\udfff"}""")), 400, "invalid_json", null));
        set.Add(new("ask json: invalid UTF-8 in the question", () => AskJsonBytes(Concat(Encoding.ASCII.GetBytes($$"""{"image":"{{base64}}","question":"""), [0x22, 0x80, 0x22, 0x7d])), 400, "invalid_json", null));
        set.Add(new("ask json: 100,000 nested objects", () => AskJsonBytes(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000))), 400, "invalid_json", null));

        // Bodies over the limit (32 MiB by default): declared, chunked, and in multipart.
        set.Add(new("chat: 40 MiB declared (Expect: 100-continue)", () => Oversized(Chat, "application/json", 40 << 20, chunked: false), 413, "request_too_large", null));
        set.Add(new("ask: 40 MiB multipart declared (Expect: 100-continue)", () => Oversized(Ask, "multipart/form-data; boundary=x", 40 << 20, chunked: false), 413, "request_too_large", null));
        set.Add(new("chat: 40 MiB chunked", () => Oversized(Chat, "application/json", 40 << 20, chunked: true), 413, "request_too_large", null) { MayCloseEarly = true });
        set.Add(new("ask: 40 MiB chunked JSON", () => Oversized(Ask, "application/json", 40 << 20, chunked: true), 413, "request_too_large", null) { MayCloseEarly = true });
        set.Add(new("ask: 40 MiB chunked multipart", () => ChunkedMultipart(40 << 20), 413, "request_too_large", null) { MayCloseEarly = true });

        // Content types and multipart framing.
        set.Add(new("ask: text/plain", () => Raw(Ask, "question=hi"u8.ToArray(), "text/plain"), 415, "unsupported_media_type", null));
        set.Add(new("ask: no content type", () => Raw(Ask, "{}"u8.ToArray(), null), 415, "unsupported_media_type", null));
        set.Add(new("ask: application/xml", () => Raw(Ask, "<ask/>"u8.ToArray(), "application/xml"), 415, "unsupported_media_type", null));
        set.Add(new("ask: form-urlencoded", () => Raw(Ask, "question=hi"u8.ToArray(), "application/x-www-form-urlencoded"), 415, "unsupported_media_type", null));
        set.Add(new("chat: text/plain", () => Raw(Chat, "{}"u8.ToArray(), "text/plain"), 415, "unsupported_media_type", null));
        set.Add(new("chat: image/png", () => Raw(Chat, image, "image/png"), 415, "unsupported_media_type", null));
        set.Add(new("ask: multipart without a boundary", () => Raw(Ask, "--x\r\n"u8.ToArray(), "multipart/form-data"), 400, "invalid_request", null));
        set.Add(new("ask: multipart with a 300-character boundary", () => Raw(Ask, "--x\r\n"u8.ToArray(), "multipart/form-data; boundary=" + new string('b', 300)), 400, "invalid_request", null));
        set.Add(new("ask: multipart truncated in a part", () => Raw(Ask, Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nwhat is"), "multipart/form-data; boundary=xyz"), 400, "invalid_request", null));
        set.Add(new("ask: multipart truncated in the headers", () => Raw(Ask, Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-da"), "multipart/form-data; boundary=xyz"), 400, "invalid_request", null));
        set.Add(new("ask: multipart truncated image", () => Raw(Ask, Concat(Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n"), image.AsSpan(0, image.Length / 2)), "multipart/form-data; boundary=xyz"), 400, "invalid_request", null));
        set.Add(new("ask: multipart part without a name", () => Raw(Ask, Encoding.ASCII.GetBytes("--xyz\r\nContent-Type: text/plain\r\n\r\nhi\r\n--xyz--\r\n"), "multipart/form-data; boundary=xyz"), 400, "invalid_request", null));
        set.Add(new("ask: multipart with 20 KiB of part headers", () => Raw(Ask, Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"question\"\r\nX-Pad: " + new string('p', 20 * 1024) + "\r\n\r\nhi\r\n--xyz--\r\n"), "multipart/form-data; boundary=xyz"), 413, "request_too_large", null));
        set.Add(new("ask: empty multipart", () => Raw(Ask, "--xyz--\r\n"u8.ToArray(), "multipart/form-data; boundary=xyz"), 400, "invalid_request", "image"));
        set.Add(new("ask json: image and imageUrl", () => AskJson($$"""{"image":"{{base64}}","imageUrl":"images/a.png","question":"?"}"""), 400, "invalid_request", "imageUrl"));
        set.Add(new("ask json: image is a number", () => AskJson("""{"image":5,"question":"?"}"""), 400, "invalid_request", "image"));
        set.Add(new("ask json: empty base64 image", () => AskJson("""{"image":"","question":"?"}"""), 400, "empty_image", null));
        set.Add(new("ask json: base64 garbage", () => AskJson("""{"image":"not base64!","question":"?"}"""), 400, "invalid_image", "image"));
        set.Add(new("ask json: no question", () => AskJson($$"""{"image":"{{base64}}"}"""), 400, "invalid_request", "question"));

        return set;
    }

    /// <summary>An ordinary request that must still be answered 200 after the abuse.</summary>
    public static HttpRequestMessage Normal(byte[] image) =>
        ChatJson($$$"""{"max_tokens":2,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Convert.ToBase64String(image)}}}"}},{"type":"text","text":"What is in the picture?"}]}]}""");

    private static string ChatWithParts(string imagePart, IEnumerable<string> parts) =>
        $$"""{"max_tokens":1,"messages":[{"role":"user","content":[{{imagePart}},{{string.Join(",", parts)}}]}]}""";

    private static HttpRequestMessage ChatJson(string json) => Raw(Chat, Encoding.UTF8.GetBytes(json), "application/json");

    private static HttpRequestMessage ChatBytes(byte[] body) => Raw(Chat, body, "application/json");

    private static HttpRequestMessage AskJson(string json) => Raw(Ask, Encoding.UTF8.GetBytes(json), "application/json");

    private static HttpRequestMessage AskJsonBytes(byte[] body) => Raw(Ask, body, "application/json");

    private static HttpRequestMessage Raw(string path, byte[] body, string? contentType)
    {
        ByteArrayContent content = new(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private static HttpRequestMessage AskForm(byte[] image, params (string Name, string Value)[] fields)
    {
        MultipartFormDataContent form = new() { { new ByteArrayContent(image), "image", "image.png" } };
        foreach ((string name, string value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return new HttpRequestMessage(HttpMethod.Post, Ask) { Content = form };
    }

    private static HttpRequestMessage AskFormBytes(byte[] image, string name, byte[] value)
    {
        MultipartFormDataContent form = new() { { new ByteArrayContent(image), "image", "image.png" }, { new ByteArrayContent(value), name } };
        return new HttpRequestMessage(HttpMethod.Post, Ask) { Content = form };
    }

    private static HttpRequestMessage AskFormTwoImages(byte[] image)
    {
        MultipartFormDataContent form = new() { { new ByteArrayContent(image), "image", "a.png" }, { new ByteArrayContent(image), "image", "b.png" }, { new StringContent("?"), "question" } };
        return new HttpRequestMessage(HttpMethod.Post, Ask) { Content = form };
    }

    private static HttpRequestMessage Oversized(string path, string contentType, int bytes, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new ZeroStream(bytes)) : new ByteArrayContent(new byte[bytes]);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        HttpRequestMessage request = new(HttpMethod.Post, path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            // As curl does for large bodies: the 413 comes instead of 100 Continue, and the body never travels.
            request.Headers.ExpectContinue = true;
        }

        return request;
    }

    private static HttpRequestMessage ChunkedMultipart(int bytes)
    {
        MultipartFormDataContent form = new() { { new StreamContent(new ZeroStream(bytes)), "image", "huge.png" }, { new StringContent("?"), "question" } };
        HttpRequestMessage request = new(HttpMethod.Post, Ask) { Content = form };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default) => [.. a, .. b, .. c];

    private static string Short(string value) => value.Length > 48 ? value[..48] + "..." : value;
}
