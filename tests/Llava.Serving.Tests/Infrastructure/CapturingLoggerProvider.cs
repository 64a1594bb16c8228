using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>Keeps every log entry of a test server, so tests can see what the server did (and print it when they fail).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join(Environment.NewLine, _entries.Select(e => $"{e.Level} {e.Category}[{e.EventId.Id}] {e.Message} {e.Exception}"));

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
