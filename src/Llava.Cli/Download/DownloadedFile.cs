namespace Llava.Cli.Download;

/// <summary>One file of a download: its size, whether it was resumed or already present, and whether a SHA-256 was checked.</summary>
internal sealed record DownloadedFile(string Name, long Bytes, bool Skipped, bool Resumed, bool Sha256Verified);
