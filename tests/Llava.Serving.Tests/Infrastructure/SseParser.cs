using System.Runtime.CompilerServices;
using System.Text;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>A strict reader of the Server-Sent Events wire format (as the WHATWG spec defines it), for tests.</summary>
internal static class SseParser
{
    /// <summary>Items as they arrive; the stream is closed when the enumeration ends unless <paramref name="leaveOpen"/>.</summary>
    public static async IAsyncEnumerable<SseItem> ReadAsync(Stream stream, bool leaveOpen = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using StreamReader reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen);
        string? name = null;
        StringBuilder? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    yield return new SseItem(name ?? "message", data.ToString(), false);
                }

                Assert.True(data is not null || name is null, $"event '{name}' has no data");
                name = null;
                data = null;
                continue;
            }

            if (line[0] == ':')
            {
                yield return new SseItem("", line[1..].TrimStart(), true);
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"not an SSE field line: '{line}'");
            string field = line[..colon];
            string value = line[(colon + 1)..];
            value = value.StartsWith(' ') ? value[1..] : value;
            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                default:
                    Assert.Fail($"unexpected SSE field '{field}'");
                    break;
            }
        }

        Assert.True(data is null && name is null, "the stream ended in the middle of an event");
    }

    public static async Task<List<SseItem>> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        List<SseItem> items = [];
        await foreach (SseItem item in ReadAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken))
        {
            items.Add(item);
        }

        return items;
    }
}
