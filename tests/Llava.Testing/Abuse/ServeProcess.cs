using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Llava.Testing.Abuse;

/// <summary>
/// <c>llava serve</c> as a child process (the CLI's assembly run by <c>dotnet</c>) on a free loopback port, with its
/// resident memory read from <c>/proc</c>: <c>VmRSS</c> now and <c>VmHWM</c>, the kernel's exact peak. Disposing
/// kills the process (this one only) and waits for it.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log;

    private ServeProcess(Process process, Uri baseAddress, List<string> log)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>Resident set size now.</summary>
    public long RssBytes => ReadStatus("VmRSS");

    /// <summary>The highest resident set size the process has had.</summary>
    public long PeakRssBytes => ReadStatus("VmHWM");

    /// <summary>What the server wrote to stderr and stdout so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join(Environment.NewLine, _log.TakeLast(200));
            }
        }
    }

    /// <summary>Starts <c>llava serve</c> on the model and waits until health says it is ready.</summary>
    /// <param name="cliAssembly">Path of the CLI assembly, llava.dll.</param>
    /// <param name="modelPath">A converted model folder.</param>
    /// <param name="extraArguments">More <c>llava serve</c> options.</param>
    /// <param name="cancellationToken">Stops waiting for the start.</param>
    public static async Task<ServeProcess> StartAsync(string cliAssembly, string modelPath, IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(cliAssembly))
        {
            throw new FileNotFoundException($"The llava CLI assembly is not at {cliAssembly}.", cliAssembly);
        }

        ProcessStartInfo start = new("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[cliAssembly, "serve", "--model", modelPath, "--urls", "http://127.0.0.1:0", "--skip-checksums", .. extraArguments ?? []])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        List<string> early = [];
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (early)
            {
                early.Add(e.Data);
            }

            if (ListeningUrl().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.ErrorDataReceived += OnLine;
        process.OutputDataReceived += OnLine;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        Task exited = process.WaitForExitAsync(cancellationToken);
        Task first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(2), cancellationToken));
        if (first != listening.Task)
        {
            string output;
            lock (early)
            {
                output = string.Join(Environment.NewLine, early);
            }

            KillQuietly(process);
            process.Dispose();
            throw new InvalidOperationException($"llava serve did not start listening:{Environment.NewLine}{output}");
        }

        ServeProcess server = new(process, await listening.Task, early);
        await server.WaitUntilReadyAsync(cancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        KillQuietly(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void KillQuietly(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        Stopwatch clock = Stopwatch.StartNew();
        while (true)
        {
            using HttpResponseMessage health = await Client.GetAsync("/api/health", cancellationToken);
            if (health.IsSuccessStatusCode)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(5) || _process.HasExited)
            {
                throw new InvalidOperationException($"llava serve did not become ready: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync(cancellationToken)}{Environment.NewLine}{Log}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private long ReadStatus(string field)
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                // "VmRSS:	  123456 kB"
                string kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field}.");
    }

    [GeneratedRegex(@" on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningUrl();
}
