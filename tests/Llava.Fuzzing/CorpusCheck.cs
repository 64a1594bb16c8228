using System.Diagnostics;
using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Fuzzing;

/// <summary>Runs every corpus file through the loader twice and prints each outcome against the manifest.</summary>
internal static class CorpusCheck
{
    public static int Run(string directory, TextWriter output)
    {
        ImageLoader loader = new();
        int mismatches = 0;
        foreach (HostileImageManifestEntry entry in HostileImageManifest.Read(directory))
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(directory, entry.File));
            Stopwatch watch = Stopwatch.StartNew();
            string first;
            string second;
            string detail = string.Empty;
            try
            {
                first = RejectionOutcome.Of(loader, bytes);
                second = RejectionOutcome.Of(loader, bytes);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                first = second = "ESCAPED " + e.GetType().Name;
                detail = e.Message;
            }

            bool ok = first == entry.Expect && second == first;
            if (!ok && detail.Length == 0)
            {
                try
                {
                    loader.Load(bytes).Dispose();
                }
                catch (ImageRejectedException e)
                {
                    detail = e.Message + (e.InnerException is null ? string.Empty : $" [{e.InnerException.GetType().Name}]");
                }
            }

            mismatches += ok ? 0 : 1;
            output.WriteLine($"{(ok ? "ok  " : "FAIL")} {entry.File,-48} expect={entry.Expect,-11} got={first}/{second} pillow={entry.Pillow ?? "-"} {watch.ElapsedMilliseconds} ms {detail}");
        }

        output.WriteLine($"{mismatches} mismatches");
        return mismatches == 0 ? 0 : 1;
    }
}
