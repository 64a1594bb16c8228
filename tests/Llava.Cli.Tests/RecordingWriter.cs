using System.Text;

namespace Llava.Cli.Tests;

/// <summary>A StringWriter that remembers each write, to show an answer arrived in pieces (streamed) rather than at once.</summary>
internal sealed class RecordingWriter : StringWriter
{
    private readonly List<string> _writes = [];

    public IReadOnlyList<string> Writes => _writes;

    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _writes.Add(value);
        }

        base.Write(value);
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(StringBuilder? value, CancellationToken cancellationToken = default)
    {
        Write(value?.ToString());
        return Task.CompletedTask;
    }
}
