namespace Llava.Testing.Abuse;

/// <summary>The resident memory of a <c>llava serve</c> process across the hostile corpus and the abuse set.</summary>
/// <param name="StartBytes">RSS once the model is loaded and <see cref="ServeMemoryRun.SettleRequests"/> ordinary requests were answered.</param>
/// <param name="PeakBytes">The process's peak RSS (VmHWM), loading included.</param>
/// <param name="RightAfterBytes">RSS as the last abusive request was answered (garbage not yet collected included).</param>
/// <param name="AfterBytes">RSS after <see cref="ServeMemoryRun.SettleRequests"/> more ordinary requests: what the server keeps serving with.</param>
/// <param name="Requests">Requests sent (corpus and abuse).</param>
/// <param name="Faults">Answers that were 5xx other than 503 (must be none).</param>
public sealed record ServeMemoryReport(long StartBytes, long PeakBytes, long RightAfterBytes, long AfterBytes, int Requests, IReadOnlyList<AbuseAnswer> Faults)
{
    public static double MiB(long bytes) => bytes / (1024.0 * 1024.0);

    public override string ToString() =>
        $"start {MiB(StartBytes):F0} MiB, peak {MiB(PeakBytes):F0} MiB, right after {MiB(RightAfterBytes):F0} MiB, after {MiB(AfterBytes):F0} MiB ({MiB(AfterBytes - StartBytes):+0;-0} MiB), {Requests} requests, {Faults.Count} 5xx";
}
