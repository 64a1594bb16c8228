namespace Llava.Serving.Tests.Infrastructure;

/// <summary>One parsed Server-Sent Events item: an event (name, data) or a comment line.</summary>
internal sealed record SseItem(string Event, string Data, bool IsComment);
