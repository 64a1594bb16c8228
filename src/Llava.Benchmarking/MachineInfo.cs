using System.Runtime.InteropServices;

namespace Llava.Benchmarking;

/// <summary>What a benchmark ran on: CPU model and count (from /proc/cpuinfo on Linux), OS, runtime, date.</summary>
public static class MachineInfo
{
    public static string CpuModel()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static string Describe() =>
        $"{CpuModel()}, {Environment.ProcessorCount} logical CPUs (nproc), {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC";
}
