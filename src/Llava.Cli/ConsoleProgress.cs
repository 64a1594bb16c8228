using System.Globalization;
using Llava.ModelBuilder;
using Llava.ModelBuilder.Graphs;

namespace Llava.Cli;

/// <summary>
/// Shows conversion progress on stderr: one self-overwriting line per stage on a terminal, a line every
/// few seconds when redirected (so CI logs stay short but never silent).
/// </summary>
internal sealed class ConsoleProgress : IProgress<ConversionProgress>
{
    private static readonly TimeSpan s_logInterval = TimeSpan.FromSeconds(5);
    private readonly TextWriter _error;
    private readonly bool _interactive;
    private readonly Lock _lock = new();
    private string? _stage;
    private DateTimeOffset _lastLine = DateTimeOffset.MinValue;

    public ConsoleProgress(CliContext context)
        : this(context?.Error ?? throw new ArgumentNullException(nameof(context)), context.IsErrorInteractive)
    {
    }

    private ConsoleProgress(TextWriter error, bool interactive)
    {
        _error = error;
        _interactive = interactive;
    }

    public void Report(ConversionProgress value)
    {
        lock (_lock)
        {
            bool newStage = value.Stage != _stage;
            if (newStage && _stage is not null && _interactive)
            {
                _error.WriteLine();
            }

            _stage = value.Stage;
            string total = value.TensorsTotal > 0 ? string.Create(CultureInfo.InvariantCulture, $"/{value.TensorsTotal}") : "";
            string line = string.Create(CultureInfo.InvariantCulture, $"{value.Stage,-10} {value.TensorsRead}{total} {(value.Stage == LlavaModelConverter.ChecksumStage ? "files" : "tensors")}, {value.BytesWritten / 1048576.0:F1} MiB {(value.Stage == LlavaModelConverter.ChecksumStage ? "hashed" : "written")}");
            if (_interactive)
            {
                _error.Write("\r" + line.PadRight(60));
            }
            else if (newStage || DateTimeOffset.UtcNow - _lastLine > s_logInterval || value.TensorsRead == value.TensorsTotal)
            {
                _error.WriteLine(line);
                _lastLine = DateTimeOffset.UtcNow;
            }
        }
    }

    /// <summary>Ends the current line on a terminal.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_interactive && _stage is not null)
            {
                _error.WriteLine();
            }
        }
    }
}
