using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Llava.Benchmarks;

/// <summary>
/// BenchmarkDotNet's short run, in process: the default toolchain generates and builds a project inside this
/// repository, which would inherit its central package management and warnings-as-errors.
/// </summary>
public sealed class InProcessShortRunConfig : ManualConfig
{
    public InProcessShortRunConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
