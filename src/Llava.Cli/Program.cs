using System.CommandLine;

RootCommand root = new("llava: run and build LLaVA vision-language models on ONNX Runtime GenAI.");
return await root.Parse(args).InvokeAsync();
