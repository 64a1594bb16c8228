using System.CommandLine;
using System.Globalization;
using Llava.Cli.Download;
using Llava.Cli.Running;

namespace Llava.Cli.Commands;

/// <summary>
/// <c>llava download &lt;hf-repo-id&gt; &lt;dir&gt;</c>: the files of a llava-hf checkpoint that <c>llava convert</c>
/// needs, from the Hugging Face Hub (or a mirror), resumable, with <c>HF_TOKEN</c> for gated repositories.
/// </summary>
internal static class DownloadCommand
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static Command Create(CliContext context)
    {
        Argument<string> repository = new("hf-repo-id") { Description = "The Hub repository, e.g. llava-hf/llava-v1.6-mistral-7b-hf." };
        Argument<DirectoryInfo> output = new("dir") { Description = "Where to put the checkpoint files (created if needed)." };
        Option<string> revision = new("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        Option<string?> endpoint = new("--endpoint") { Description = $"The Hub's base URL (default: $HF_ENDPOINT, else {DefaultEndpoint})." };
        Option<bool> force = new("--force") { Description = "Download files again even if they are already in the folder." };
        Command command = new(
            "download",
            "Download a llava-hf checkpoint (config, safetensors weights, tokenizer and processor files) from the Hugging Face Hub. " +
            "Interrupted downloads resume; set HF_TOKEN for gated or private repositories.")
        {
            repository, output, revision, endpoint, force,
        };
        CommandRunner.SetAction(command, context, async (parse, cancellationToken) =>
        {
            string repo = parse.GetValue(repository)!;
            if (!HubClient.IsValidRepositoryId(repo))
            {
                throw new CliException(ExitCodes.InvalidInput, $"'{repo}' is not a Hub repository id (owner/name).");
            }

            string directory = parse.GetValue(output)!.FullName;
            string rev = parse.GetValue(revision)!;
            string baseUrl = parse.GetValue(endpoint) ?? context.Variable("HF_ENDPOINT") ?? DefaultEndpoint;
            string? token = context.Variable("HF_TOKEN") ?? context.Variable("HUGGING_FACE_HUB_TOKEN");
            try
            {
                using HubClient hub = new(baseUrl, token);
                return await DownloadAsync(hub, repo, rev, directory, parse.GetValue(force), context, cancellationToken);
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Failure, $"{baseUrl}: {ex.Message} Run the same command again to resume.", ex);
            }
            catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Failure, ex.Message.Contains("resume", StringComparison.Ordinal) ? ex.Message : $"{ex.Message} Run the same command again to resume.", ex);
            }
        });
        return command;
    }

    private static async Task<int> DownloadAsync(HubClient hub, string repo, string revision, string directory, bool force, CliContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> all = await hub.ListFilesAsync(repo, revision, cancellationToken);
        string[] wanted = [.. all.Where(HubFileSelection.IsNeeded).Order(StringComparer.Ordinal)];
        if (!wanted.Contains("config.json") || !wanted.Any(f => f.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            throw new CliException(ExitCodes.ModelUnavailable, $"{repo} at {revision} is not a llava-hf checkpoint: it has no config.json and *.safetensors weights ({all.Count} files listed).");
        }

        Directory.CreateDirectory(directory);
        long bytes = 0;
        int fetched = 0;
        foreach (string file in wanted)
        {
            StatusLine status = new(context);
            DateTime started = DateTime.UtcNow;
            DownloadedFile result = await hub.DownloadAsync(repo, revision, file, directory, force, (done, total) =>
            {
                double seconds = Math.Max((DateTime.UtcNow - started).TotalSeconds, 1e-3);
                string of = total is long t ? string.Create(CultureInfo.InvariantCulture, $"/{t / 1048576.0:F1}") : "";
                status.Report("download", string.Create(CultureInfo.InvariantCulture, $"{file} {done / 1048576.0:F1}{of} MiB, {done / 1048576.0 / seconds:F1} MiB/s"));
            }, cancellationToken);
            status.Complete();
            string how = result.Skipped ? "already present" : result.Resumed ? "resumed" : "downloaded";
            string check = result.Sha256Verified ? ", sha256 ok" : "";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{file}  {result.Bytes / 1048576.0:F1} MiB  {how}{check}"));
            bytes += result.Bytes;
            fetched += result.Skipped ? 0 : 1;
        }

        await context.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{repo}@{revision}: {wanted.Length} files ({fetched} fetched), {bytes / 1048576.0:F1} MiB in {directory}. Next: llava convert {directory} <model-dir> --precision int4"));
        return ExitCodes.Success;
    }
}
