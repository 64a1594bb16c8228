using System.Diagnostics;

namespace Llava.Benchmarking;

/// <summary>
/// The process's peak working set. On Linux it can be reset between measurements (writing 5 to
/// <c>/proc/self/clear_refs</c> resets VmHWM, which <see cref="Process.PeakWorkingSet64"/> reads); elsewhere
/// the peak is since process start, and <see cref="Reset"/> says so.
/// </summary>
public static class PeakMemory
{
    /// <summary>Resets the peak to the current working set; false where the platform does not allow it.</summary>
    public static bool Reset()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static long PeakBytes()
    {
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }
}
