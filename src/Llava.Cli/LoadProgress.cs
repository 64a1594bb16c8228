using System.Globalization;
using Llava.Inference.Loading;

namespace Llava.Cli;

/// <summary>Model loading (checksums, then ONNX Runtime sessions) shown on a <see cref="StatusLine"/>.</summary>
internal sealed class LoadProgress(StatusLine line) : IProgress<ModelLoadProgress>
{
    public void Report(ModelLoadProgress value)
    {
        if (value.Stage == "ready")
        {
            // The caller reports readiness itself, with the time it took.
            return;
        }

        string detail = value.Stage switch
        {
            "verify" => string.Create(CultureInfo.InvariantCulture, $"checking files: {value.BytesDone / 1048576.0:F0}/{value.BytesTotal / 1048576.0:F0} MiB"),
            "load" => "creating ONNX Runtime sessions",
            _ => value.Stage,
        };
        line.Report(value.Stage == "verify" ? "verify" : "load", detail);
    }
}
