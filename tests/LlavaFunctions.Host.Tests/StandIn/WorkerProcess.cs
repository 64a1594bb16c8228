using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// The published worker started the way the Functions host starts an isolated worker: the executable and entry
/// point from the app's <c>worker.config.json</c>, the host's gRPC address and ids as arguments (both the classic
/// and the <c>--functions-*</c> spellings), the app settings and <c>FUNCTIONS_*</c> variables as environment.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>What the host allows for one gRPC message (the worker is told the same).</summary>
    public const int MaxMessageLength = int.MaxValue;

    private readonly Process _process;

    private WorkerProcess(Process process, string workerId)
    {
        _process = process;
        WorkerId = workerId;
    }

    public string WorkerId { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Task Exited => _process.WaitForExitAsync();

    public static WorkerProcess Start(string appDirectory, Uri grpcUri, IReadOnlyDictionary<string, string> appSettings, StandInLog log)
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "worker.config.json")));
        JsonElement description = config.RootElement.GetProperty("description");
        string executable = description.GetProperty("defaultExecutablePath").GetString()!;
        string entryPoint = Path.Combine(appDirectory, description.GetProperty("defaultWorkerPath").GetString()!);
        if (executable == "dotnet" && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnetHost)
        {
            // The dotnet that runs the tests (the host resolves "dotnet" from PATH the same way).
            executable = dotnetHost;
        }

        string workerId = Guid.NewGuid().ToString();
        string requestId = Guid.NewGuid().ToString();
        string maxLength = MaxMessageLength.ToString(CultureInfo.InvariantCulture);
        ProcessStartInfo start = new(executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[
            entryPoint,
            "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxLength,
            "--functions-uri", grpcUri.ToString(), "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxLength])
        {
            start.ArgumentList.Add(argument);
        }

        // The test process's own settings (LLAVA_TEST_*, a developer's LLAVA_*) must not leak into the app.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("LLAVA_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        foreach ((string name, string value) in appSettings)
        {
            start.Environment[name] = value;
        }

        Process process = new() { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(log, workerId, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(log, workerId, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.Write("host", $"started worker {workerId} (pid {process.Id}): {executable} {entryPoint}");
        return new WorkerProcess(process, workerId);
    }

    /// <summary>Kills the worker and everything it started, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Forward(StandInLog log, string workerId, string? line)
    {
        if (line is not null)
        {
            log.Write("worker " + workerId[..8], line);
        }
    }
}
