using System.CommandLine;
using Llava.Cli.Commands;

RootCommand root = new("llava: build and run LLaVA vision-language models on ONNX Runtime GenAI.")
{
    ConvertCommand.Create(),
    MakeTinyCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
