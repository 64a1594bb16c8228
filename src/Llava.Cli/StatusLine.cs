using System.Diagnostics;

namespace Llava.Cli;

/// <summary>
/// Progress on stderr for work that may take a while, in the manner of <see cref="ConsoleProgress"/>: nothing
/// for the first second (quick operations stay silent), then one self-overwriting line per stage on a
/// terminal, or a line per stage and every few seconds when stderr is redirected (CI logs stay short but never
/// silent). Thread-safe.
/// </summary>
internal sealed class StatusLine
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_logInterval = TimeSpan.FromSeconds(5);
    private readonly TextWriter _error;
    private readonly bool _interactive;
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _stage;
    private string? _pending;
    private bool _drawn;
    private TimeSpan _lastLine = TimeSpan.FromDays(-1);

    public StatusLine(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _error = context.Error;
        _interactive = context.IsErrorInteractive;
    }

    /// <summary>Time since the operation started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(string stage, string detail)
    {
        lock (_lock)
        {
            string line = $"{stage,-10} {detail}";
            bool newStage = stage != _stage;
            _stage = stage;
            TimeSpan now = _clock.Elapsed;
            if (now < s_quiet)
            {
                _pending = line;
                return;
            }

            if (_interactive)
            {
                if (newStage && _drawn)
                {
                    _error.WriteLine();
                }

                _error.Write("\r" + line.PadRight(72));
                _drawn = true;
            }
            else if (newStage || now - _lastLine > s_logInterval)
            {
                _error.WriteLine(line);
                _lastLine = now;
            }

            _pending = null;
        }
    }

    /// <summary>Ends the line on a terminal; a slow operation that never redrew gets its last state printed.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_interactive && _drawn)
            {
                _error.WriteLine();
                _drawn = false;
            }
            else if (_pending is not null && _clock.Elapsed >= s_quiet)
            {
                _error.WriteLine(_pending);
            }

            _pending = null;
        }
    }
}
