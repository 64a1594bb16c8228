using System.CommandLine;
using Llava.Cli;
using Llava.Cli.Commands;

RootCommand root = new("llava: build and run LLaVA vision-language models on ONNX Runtime GenAI.");
CliContext context = CliContext.FromConsole();
LlavaCommands.AddTo(root, context);
root.Subcommands.Add(ServeCommand.Create(context));
return await LlavaCommands.InvokeAsync(root, args, context);
