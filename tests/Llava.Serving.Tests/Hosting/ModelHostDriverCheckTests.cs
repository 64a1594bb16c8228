using Llava.Inference;
using Llava.Serving.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Llava.Serving.Tests.Hosting;

public sealed class ModelHostDriverCheckTests
{
    [Fact]
    public async Task A_cuda_host_with_an_old_driver_fails_with_the_driver_versions_before_fetching_the_model()
    {
        int fetches = 0;
        using ModelHost host = new(
            new LlavaEngineOptions { ModelPath = "unused", ExecutionProvider = "cuda" },
            (_, _) =>
            {
                Interlocked.Increment(ref fetches);
                return Task.FromResult("unused");
            },
            NullLoggerFactory.Instance,
            new CudaDriverCheck(() => 12020, () => "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 2024"));

        host.Start();
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Ready);

        ModelStatus status = host.Status();
        Assert.Equal(ModelState.Failed, status.State);
        Assert.Contains("driver 535.183.01 supports CUDA up to 12.2", status.Error, StringComparison.Ordinal);
        Assert.Equal(0, fetches);
    }

    [Fact]
    public async Task A_cpu_host_never_looks_for_a_driver()
    {
        bool checkedDriver = false;
        using ModelHost host = new(
            new LlavaEngineOptions { ModelPath = "unused", ExecutionProvider = "cpu" },
            (_, _) => Task.FromException<string>(new DirectoryNotFoundException("no model here")),
            NullLoggerFactory.Instance,
            new CudaDriverCheck(
                () =>
                {
                    checkedDriver = true;
                    return null;
                },
                () => null));

        host.Start();
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => host.Ready);

        Assert.False(checkedDriver);
        Assert.Contains("no model here", host.Status().Error, StringComparison.Ordinal);
    }
}
