using System.Runtime;
using System.Runtime.InteropServices;

namespace Llava.Inference.Engine;

/// <summary>
/// Gives memory back to the system after a large request: the managed pixel arrays and feature index live on the
/// large object heap, which a normal collection neither compacts nor decommits, and glibc keeps freed native
/// blocks of ONNX Runtime's activations in its heaps until asked to trim.
/// </summary>
internal static class MemoryReturn
{
    /// <summary>Requests estimated below this are left to the runtime: returning costs a full collection.</summary>
    public const long LargeRequestBytes = 256L << 20;

    public static void AfterRequest(long estimatedBytes)
    {
        if (estimatedBytes < LargeRequestBytes)
        {
            return;
        }

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            _ = MallocTrim(0);
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
