using System.Security.Cryptography;

namespace Llava.ModelFormat;

/// <summary>SHA-256 of model files as the manifest records them: lowercase hex.</summary>
public static class FileSha256
{
    /// <summary>Hashes a file, reading it once in large sequential blocks.</summary>
    public static async Task<string> ComputeAsync(string path, CancellationToken cancellationToken = default)
    {
        await using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return ToHex(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>Hashes the rest of a stream.</summary>
    public static string Compute(Stream stream) => ToHex(SHA256.HashData(stream));

    /// <summary>The manifest's spelling of a digest.</summary>
    public static string ToHex(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest);

    /// <summary>Whether two hex digests are the same (case does not matter).</summary>
    public static bool AreEqual(string? left, string? right) => string.Equals(left, right, StringComparison.OrdinalIgnoreCase);
}
