namespace Llava.Cli.Tests;

/// <summary>One request <see cref="FakeHub"/> received: which origin, the path, and the headers that matter.</summary>
internal sealed record RecordedRequest(string Origin, string Path, string? Authorization, string? Range);
