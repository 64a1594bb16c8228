using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>Routes the WebJobs host's and Kestrel's logs (Information and up) into the <see cref="StandInLog"/>.</summary>
internal sealed class StandInLoggerProvider(StandInLog log, string source) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, source, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(StandInLog log, string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // Azure.Core logs every storage request at Information; only its warnings say something here.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= (category.StartsWith("Azure.Core", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(source, $"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
