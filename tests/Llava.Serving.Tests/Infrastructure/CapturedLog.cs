using Microsoft.Extensions.Logging;

namespace Llava.Serving.Tests.Infrastructure;

internal sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);
