using System.Globalization;
using Llava.Cli.Demo;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;
using Llava.Testing;
using Llava.Testing.Abuse;
using Llava.Testing.Models;

namespace Llava.Benchmarks;

/// <summary>
/// <c>serve-memory</c>: resident memory of <c>llava serve</c> (a child process, default options) across the
/// hostile-image corpus and the abuse set, on the tiny and mid-size models of two families (see
/// <see cref="ServeMemoryRun"/> for when start and after are measured), against the budgets: peak under
/// 2.5 GB, after within 400 MB of the start.
/// </summary>
internal static class ServeMemoryBenchmark
{
    public static async Task<int> RunAsync(bool tinyOnly)
    {
        byte[] image = File.ReadAllBytes(RepositoryPaths.Fixture("images", "chelsea_336x336.png"));
        string cli = Path.Combine(AppContext.BaseDirectory, "llava.dll");
        List<(string Name, string Model)> models =
        [
            ("tiny llava-1.5", TinyModels.Model(TinyFamily.Llava15.Name)),
            ("tiny llava-v1.6-mistral", TinyModels.Model(TinyFamily.NextMistral.Name)),
        ];
        if (!tinyOnly)
        {
            models.Add(("mid-size llava-1.5", await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.Llava15, midSize: true, ModelPrecision.Fp32, CancellationToken.None)));
            models.Add(("mid-size llava-v1.6-mistral", await RandomModels.ModelAsync(BenchInputs.Context, TinyFamily.NextMistral, midSize: true, ModelPrecision.Fp32, CancellationToken.None)));
        }

        Console.WriteLine($"llava serve memory across the hostile-image corpus ({HostileImageCorpus.Load().Count} files, each as an upload and a data URL) and the abuse set ({AbuseSet.Build(image).Count} requests), 4 at a time");
        Console.WriteLine();
        Console.WriteLine("| model | requests | 5xx | start RSS MiB | peak RSS MiB | right after MiB | after MiB | after - start MiB | peak < 2.5 GB | after within 400 MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        int failures = 0;
        foreach ((string name, string model) in models)
        {
            await using ServeProcess server = await ServeProcess.StartAsync(cli, model);
            ServeMemoryReport report = await ServeMemoryRun.RunAsync(server, image);
            bool peakOk = report.PeakBytes < 2_500L * 1024 * 1024;
            bool afterOk = report.AfterBytes - report.StartBytes < 400L * 1024 * 1024;
            failures += (peakOk && afterOk && report.Faults.Count == 0) ? 0 : 1;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {report.Requests} | {report.Faults.Count} | {ServeMemoryReport.MiB(report.StartBytes):F0} | {ServeMemoryReport.MiB(report.PeakBytes):F0} | {ServeMemoryReport.MiB(report.RightAfterBytes):F0} | {ServeMemoryReport.MiB(report.AfterBytes):F0} | {ServeMemoryReport.MiB(report.AfterBytes - report.StartBytes):+0;-0} | {(peakOk ? "yes" : "NO")} | {(afterOk ? "yes" : "NO")} |"));
            foreach (AbuseAnswer fault in report.Faults)
            {
                Console.WriteLine($"  5xx: {fault}");
            }
        }

        return failures == 0 ? 0 : 1;
    }
}
