using System.Collections.Concurrent;
using System.Globalization;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// Everything the stand-in, the WebJobs host and the worker (its console and its RpcLog stream) said, with the
/// time, so a failing test can show what happened. Bounded: the oldest lines go first.
/// </summary>
public sealed class StandInLog
{
    private const int MaxLines = 4000;
    private readonly ConcurrentQueue<string> _lines = new();

    public void Write(string source, string message)
    {
        _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} [{source}] {message}"));
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }

    /// <summary>The last <paramref name="count"/> lines, oldest first.</summary>
    public string Tail(int count = 80) => string.Join(Environment.NewLine, _lines.ToArray().TakeLast(count));

    public IReadOnlyList<string> Lines => _lines.ToArray();
}
