using System.Text.Json.Serialization;

namespace Llava.ModelFormat;

/// <summary>One file of the model folder with its size and SHA-256, checked by the runtime on load.</summary>
public sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>
    /// Checks a copy of this file on disk: null when it is present with the listed size (and, with
    /// <paramref name="checksum"/>, the listed SHA-256), else what is wrong, in words.
    /// </summary>
    public async Task<string?> FindMismatchAsync(string folder, bool checksum, CancellationToken cancellationToken = default)
    {
        string path = System.IO.Path.Combine(folder, Path);
        FileInfo info = new(path);
        if (!info.Exists)
        {
            return $"{Path} is missing from {folder} (listed in its manifest).";
        }

        if (info.Length != Bytes)
        {
            return $"{Path} in {folder} has {info.Length} bytes; the manifest says {Bytes}. The file is truncated or was replaced.";
        }

        if (checksum)
        {
            string actual = await FileSha256.ComputeAsync(path, cancellationToken);
            if (!FileSha256.AreEqual(actual, Sha256))
            {
                return $"{Path} in {folder} does not match its manifest checksum (SHA-256 {actual}, expected {Sha256}). The file is corrupt or was changed.";
            }
        }

        return null;
    }

    /// <summary>Whether bytes received elsewhere (a download) are this file: the listed size and SHA-256.</summary>
    public bool Matches(long bytes, string sha256) => bytes == Bytes && FileSha256.AreEqual(sha256, Sha256);
}
