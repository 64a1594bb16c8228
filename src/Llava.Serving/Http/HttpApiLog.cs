using Microsoft.Extensions.Logging;

namespace Llava.Serving.Http;

/// <summary>The HTTP API's log messages (source-generated).</summary>
// Event ids 100-199: each class logging in this app has its own block (LogEventIdTests lists them).
internal static partial class HttpApiLog
{
    [LoggerMessage(101, LogLevel.Error, "{Endpoint} failed with an unexpected error")]
    public static partial void Failed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(102, LogLevel.Information, "{Endpoint} answered {Status} {Code}: {Detail}")]
    public static partial void Refused(ILogger logger, string endpoint, int status, string code, string detail);

    [LoggerMessage(103, LogLevel.Information, "{Endpoint}: the client went away; generation stopped")]
    public static partial void ClientGone(ILogger logger, string endpoint);

    [LoggerMessage(104, LogLevel.Debug, "{Endpoint}: the error could not be sent, the client is gone ({Reason})")]
    public static partial void ErrorNotSent(ILogger logger, string endpoint, string reason);

    [LoggerMessage(105, LogLevel.Warning, "{Endpoint}: a {Status} {Code} after the event stream started is sent as an error event: {Detail}")]
    public static partial void FailedMidStream(ILogger logger, string endpoint, int status, string code, string detail);
}
