using Llava.Serving.Hosting;

namespace Llava.Serving.Tests.Hosting;

public sealed class CudaDriverCheckTests
{
    // The first line of /proc/driver/nvidia/version on an R535 host (CUDA 12.2) and on an R580 host (CUDA 13.0).
    private const string R535 = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\nGCC version:  gcc version 12.2.0";
    private const string R580 = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:22 UTC 2025\n";

    [Fact]
    public void A_driver_older_than_cuda_13_fails_naming_the_driver_and_both_cuda_versions()
    {
        CudaDriverCheck check = new(() => 12020, () => R535);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(check.EnsureSupported);

        Assert.Contains("driver 535.183.01", error.Message, StringComparison.Ordinal);
        Assert.Contains("supports CUDA up to 12.2", error.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA 13.0 or later", error.Message, StringComparison.Ordinal);
        Assert.Contains("R580", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_loadable_driver_fails_saying_so()
    {
        CudaDriverCheck check = new(() => null, () => null);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(check.EnsureSupported);

        Assert.Contains("libcuda.so.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("driver version unknown", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(13000)]
    [InlineData(13010)]
    public void A_cuda_13_driver_passes(int supported)
    {
        CudaDriverCheck check = new(() => supported, () => R580);

        check.EnsureSupported();
    }

    [Fact]
    public void The_last_cuda_12_version_is_still_too_old()
    {
        CudaDriverCheck check = new(() => 12090, () => null);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(check.EnsureSupported);
        Assert.Contains("up to 12.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("driver unknown", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(R535, "535.183.01")]
    [InlineData(R580, "580.65.06")]
    [InlineData("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  (dvs-builder@U16)", "580.95.05")]
    [InlineData("NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.124  Tue Feb 4 2025", "570.124")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_driver_version_is_read_from_the_kernel_module_description(string? description, string? expected)
    {
        Assert.Equal(expected, CudaDriverCheck.DriverVersion(description));
    }

    [Fact]
    public void Cuda_versions_read_as_major_dot_minor()
    {
        Assert.Equal("13.1", CudaDriverCheck.FormatCudaVersion(13010));
        Assert.Equal("12.2", CudaDriverCheck.FormatCudaVersion(12020));
    }
}
