using LlavaFunctions.Host.Tests.StandIn;

namespace LlavaFunctions.Host.Tests.Failures;

/// <summary>The published worker, started as the host starts it, refuses bad settings before it serves anything.</summary>
public sealed class BadSettingsTests
{
    [Fact]
    public async Task A_worker_with_several_bad_settings_exits_at_start_up_with_one_error_naming_each()
    {
        StandInLog log = new();
        Dictionary<string, string> settings = new(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["LLAVA_MODEL_PATH"] = "/models/never-loaded",
            ["LLAVA_EXECUTION_PROVIDER"] = "tpu",
            ["LLAVA_JOBS_QUEUE"] = "Bad_Queue",
            ["LLAVA_API_KEY"] = "short",
            ["HttpApi__MaxRequestBodyBytes"] = "10",
        };

        // Nothing listens at this address: a worker that got as far as connecting to its host would fail on that instead.
        using WorkerProcess worker = WorkerProcess.Start(StandInApp.WorkerDirectory, new Uri("http://127.0.0.1:9"), settings, log);
        await worker.Exited.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.NotEqual(0, worker.ExitCode);
        string output = string.Join(Environment.NewLine, log.Lines);
        foreach (string named in new[] { "LLAVA_EXECUTION_PROVIDER", "LLAVA_JOBS_QUEUE 'Bad_Queue'", "LLAVA_API_KEY", "MaxRequestBodyBytes" })
        {
            Assert.Contains(named, output, StringComparison.Ordinal);
        }
    }
}
