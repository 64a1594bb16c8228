using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Llava.Serving.Hosting;

/// <summary>
/// Before a CUDA model load: can the NVIDIA driver of this machine run the CUDA 13 libraries the app ships with?
/// The driver (libcuda.so.1) comes from the GPU host, not from the app or its image, and one older than the R580
/// branch makes ONNX Runtime's CUDA provider fail with an opaque "insufficient driver" error deep in the load. This
/// check fails first, naming the driver and both CUDA versions, so the health endpoint says what is wrong.
/// </summary>
public sealed partial class CudaDriverCheck
{
    /// <summary>The CUDA version the app's libraries need from the driver, as <c>cuDriverGetVersion</c> reports it (13.0).</summary>
    public const int RequiredCudaVersion = 13000;

    private readonly Func<int?> _driverCudaVersion;
    private readonly Func<string?> _driverDescription;

    /// <param name="driverCudaVersion">The newest CUDA version the driver supports (1000 × major + 10 × minor), or null when no driver can be loaded.</param>
    /// <param name="driverDescription">The driver's description (the text of /proc/driver/nvidia/version), or null when there is none.</param>
    public CudaDriverCheck(Func<int?> driverCudaVersion, Func<string?> driverDescription)
    {
        ArgumentNullException.ThrowIfNull(driverCudaVersion);
        ArgumentNullException.ThrowIfNull(driverDescription);
        _driverCudaVersion = driverCudaVersion;
        _driverDescription = driverDescription;
    }

    // The CUDA driver API's own entry point: needs no cuInit and no GPU context.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CuDriverGetVersion(out int version);

    /// <summary>The check against this machine's driver: libcuda.so.1 and /proc/driver/nvidia/version.</summary>
    public static CudaDriverCheck ForThisMachine() => new(ReadDriverCudaVersion, ReadDriverDescription);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the driver and CUDA versions when the driver cannot run CUDA 13.</summary>
    public void EnsureSupported()
    {
        int? supported = _driverCudaVersion();
        string driver = DriverVersion(_driverDescription()) ?? "unknown";
        if (supported is null)
        {
            throw new InvalidOperationException(
                $"The CUDA execution provider needs an NVIDIA driver, and none could be loaded (libcuda.so.1; driver version {driver}). " +
                "Run on a GPU (on Azure: a replica of a GPU workload profile) or use the cpu execution provider.");
        }

        if (supported < RequiredCudaVersion)
        {
            throw new InvalidOperationException(
                $"The NVIDIA driver {driver} supports CUDA up to {FormatCudaVersion(supported.Value)}; this app ships CUDA " +
                $"{FormatCudaVersion(RequiredCudaVersion)} libraries, which need CUDA {FormatCudaVersion(RequiredCudaVersion)} or later " +
                "(an R580 or newer driver). See docs/deployment.md, \"CUDA and the driver\".");
        }
    }

    /// <summary>12020 is "12.2".</summary>
    public static string FormatCudaVersion(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");

    /// <summary>
    /// The driver version in the kernel module's description ("... Kernel Module  580.65.06  Sun Jul ..." or, for the
    /// open kernel modules, "... Open Kernel Module for x86_64  580.65.06  Release Build ..."), or null.
    /// </summary>
    public static string? DriverVersion(string? description)
    {
        Match match = description is null ? Match.Empty : KernelModulePattern().Match(description);
        return match.Success ? match.Groups["version"].Value : null;
    }

    private static int? ReadDriverCudaVersion()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out IntPtr library) || !NativeLibrary.TryGetExport(library, "cuDriverGetVersion", out IntPtr export))
        {
            return null;
        }

        // The library stays loaded: the CUDA provider loads the same driver moments later.
        CuDriverGetVersion getVersion = Marshal.GetDelegateForFunctionPointer<CuDriverGetVersion>(export);
        return getVersion(out int version) == 0 ? version : null;
    }

    private static string? ReadDriverDescription()
    {
        const string Path = "/proc/driver/nvidia/version";
        return File.Exists(Path) ? File.ReadAllText(Path) : null;
    }

    [GeneratedRegex(@"Kernel Module(?: for \S+)?\s+(?<version>\d+\.\d+(\.\d+)?)")]
    private static partial Regex KernelModulePattern();
}
