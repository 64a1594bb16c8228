namespace Llava.Cli.Download;

/// <summary>The Hub refused a request in a way the user can act on (not found, needs a token); carries the CLI exit code.</summary>
internal sealed class HubException : Exception
{
    public HubException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public HubException()
    {
    }

    public HubException(string message)
        : base(message)
    {
    }

    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Failure;
}
