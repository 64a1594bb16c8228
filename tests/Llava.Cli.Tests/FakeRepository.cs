namespace Llava.Cli.Tests;

/// <summary>A repository on <see cref="FakeHub"/>: files by path, which of them are LFS, and the token a gated one requires.</summary>
internal sealed record FakeRepository(string Id, IReadOnlyDictionary<string, byte[]> Files, IReadOnlySet<string> Lfs, string? Token = null)
{
    /// <summary>SHA-256 values the Hub announces instead of the real ones (to simulate corruption in transit).</summary>
    public IReadOnlyDictionary<string, string> AnnouncedSha256 { get; init; } = new Dictionary<string, string>();
}
