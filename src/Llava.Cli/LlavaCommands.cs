using System.CommandLine;
using System.CommandLine.Invocation;
using Llava.Cli.Commands;

namespace Llava.Cli;

/// <summary>The commands (all but <c>serve</c>, which owns the process), and the invocation that gives scripts stable exit codes.</summary>
internal static class LlavaCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(ConvertCommand.Create(context));
        root.Subcommands.Add(MakeTinyCommand.Create(context));
        root.Subcommands.Add(CaptionCommand.Create(context));
        root.Subcommands.Add(AskCommand.Create(context));
        root.Subcommands.Add(ChatCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(DownloadCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
    }

    /// <summary>
    /// Parses and runs. Usage errors print the parser's messages and exit 2 (System.CommandLine's own default is
    /// 1, which scripts could not tell from a failure); help and output go to the context's writers.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        ParseResult parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}");
            }

            string name = parse.CommandResult.Command == root ? "llava" : $"llava {parse.CommandResult.Command.Name}";
            await context.Error.WriteLineAsync($"Run '{name} --help' for usage.");
            return ExitCodes.InvalidInput;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
    }
}
