namespace Llava.Testing.Abuse;

/// <summary>What the server answered to one request: status, and from the error body its code and param.</summary>
public sealed record AbuseAnswer(string Name, int Status, string? Code, string? Param, string Body)
{
    /// <summary>The status of an answer that never came: the server closed the connection while the request was being sent.</summary>
    public const int ConnectionClosed = 0;

    public override string ToString() => $"{Name}: {Status} {Code} {Param} {(Body.Length > 300 ? Body[..300] : Body)}";
}
