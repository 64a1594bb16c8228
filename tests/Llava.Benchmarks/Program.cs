using BenchmarkDotNet.Running;
using Llava.Benchmarks;

// `sweep [out.png]`: latency and tokens/s against image-token count on the mid-size random models, with a plot.
// Anything else goes to BenchmarkDotNet (e.g. `--filter '*'`).
if (args.Length > 0 && args[0] == "sweep")
{
    return await TokenSweep.RunAsync(args.Length > 1 ? args[1] : Path.Combine("docs", "benchmarks-latency.png"));
}

// `functions [family]`: end-to-end latency of each Functions path against Azurite (start it first: npm run azurite).
if (args.Length > 0 && args[0] == "functions")
{
    return await FunctionPathsBenchmark.RunAsync(args.Length > 1 ? args[1] : "llava-1.5");
}

// `serve-memory [--tiny-only]`: llava serve's resident memory across the hostile-image corpus and the abuse set.
if (args.Length > 0 && args[0] == "serve-memory")
{
    return await ServeMemoryBenchmark.RunAsync(tinyOnly: args.Contains("--tiny-only"));
}

// `precision`: int4 schemes and LM head choices against fp32 on the mid-size LLaVA-NeXT model.
if (args.Length > 0 && args[0] == "precision")
{
    return await PrecisionBenchmark.RunAsync();
}

// `memory [tiny|mid] [arena]`: estimated against measured peak memory per request, and what is left afterwards.
if (args.Length > 0 && args[0] == "memory")
{
    return await MemoryBenchmark.RunAsync(midSize: args.Contains("mid"), arena: args.Contains("arena"));
}

BenchmarkSwitcher.FromAssembly(typeof(PreprocessingBenchmarks).Assembly).Run(args);
return 0;
