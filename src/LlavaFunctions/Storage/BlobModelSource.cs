using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Llava.Inference.Errors;
using Llava.Inference.Loading;
using Llava.ModelFormat;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Storage;

/// <summary>
/// Downloads a converted model folder from a blob container to local disk once, checking every file against
/// the manifest's size and SHA-256 as it is written. A complete, verified folder is kept, so a warm restart
/// skips the download; a partial one is replaced.
/// </summary>
public sealed partial class BlobModelSource(BlobContainerClient container, string prefix, string localFolder, ILogger<BlobModelSource> logger)
{
    private const string CompleteMarker = ".download-complete";

    public async Task<string> AcquireAsync(IProgress<ModelLoadProgress>? progress, CancellationToken cancellationToken)
    {
        string root = prefix.Trim('/');
        if (File.Exists(Path.Combine(localFolder, CompleteMarker)))
        {
            Log.AlreadyDownloaded(logger, localFolder);
            return localFolder;
        }

        BlobClient manifestBlob = container.GetBlobClient($"{root}/{ModelManifest.FileName}");
        if (!await manifestBlob.ExistsAsync(cancellationToken))
        {
            throw new ModelLoadException($"No model at {container.Uri}/{root}: {ModelManifest.FileName} is missing. Upload a folder written by `llava convert`.");
        }

        ModelManifest manifest = ModelManifest.FromJson((await manifestBlob.DownloadContentAsync(cancellationToken)).Value.Content.ToString());
        if (Directory.Exists(localFolder))
        {
            Directory.Delete(localFolder, recursive: true);
        }

        Directory.CreateDirectory(localFolder);
        long total = manifest.Files.Sum(f => f.Bytes);
        long done = 0;
        foreach (ManifestFile file in manifest.Files)
        {
            string target = Path.Combine(localFolder, file.Path);
            BlobClient blob = container.GetBlobClient($"{root}/{file.Path}");
            await using (FileStream output = new(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            {
                using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                BlobDownloadStreamingResult download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
                await using Stream input = download.Content;
                byte[] buffer = new byte[1 << 20];
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    done += read;
                    progress?.Report(new ModelLoadProgress("download", done, total));
                }

                string actual = FileSha256.ToHex(hash.GetHashAndReset());
                if (!file.Matches(output.Length, actual))
                {
                    throw new ModelLoadException($"{blob.Uri} does not match the manifest ({output.Length} bytes, SHA-256 {actual}; expected {file.Bytes} bytes, {file.Sha256}).");
                }
            }
        }

        await manifestBlob.DownloadToAsync(Path.Combine(localFolder, ModelManifest.FileName), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(localFolder, CompleteMarker), DateTimeOffset.UtcNow.ToString("O"), cancellationToken);
        Log.Downloaded(logger, total, localFolder);
        return localFolder;
    }

    // Event ids 400-499: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(401, LogLevel.Information, "Model already downloaded to {Folder}")]
        public static partial void AlreadyDownloaded(ILogger logger, string folder);

        [LoggerMessage(402, LogLevel.Information, "Downloaded and verified {Bytes} bytes of model to {Folder}")]
        public static partial void Downloaded(ILogger logger, long bytes, string folder);
    }
}
