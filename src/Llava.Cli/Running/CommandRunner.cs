using System.CommandLine;

namespace Llava.Cli.Running;

/// <summary>
/// Runs a command's action and turns the failures it expects into one line on stderr and a documented exit
/// code; anything unexpected is left to System.CommandLine's handler (stack trace, exit code 1).
/// </summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("Cancelled.");
                return ExitCodes.Cancelled;
            }
            catch (CliException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ex.ExitCode;
            }
        });
    }
}
