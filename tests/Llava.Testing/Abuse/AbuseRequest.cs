namespace Llava.Testing.Abuse;

/// <summary>One hostile or careless HTTP request and the answer it must get.</summary>
/// <param name="Name">What it tries.</param>
/// <param name="Create">Builds a fresh request message (a message can be sent once).</param>
/// <param name="Status">The status it must get.</param>
/// <param name="Code">The error code it must get (null: only the status is checked).</param>
/// <param name="Param">The field the error must name (null: not checked).</param>
public sealed record AbuseRequest(string Name, Func<HttpRequestMessage> Create, int Status, string? Code, string? Param = null)
{
    /// <summary>
    /// A body over the limit sent without <c>Expect: 100-continue</c> (chunked): the server answers 413 and closes
    /// the connection while the client is still sending, which a client may see as a closed connection
    /// (<see cref="AbuseAnswer.ConnectionClosed"/>) instead of the 413. Either is right; a 5xx or reading on is not.
    /// </summary>
    public bool MayCloseEarly { get; init; }

    /// <summary>Whether <paramref name="answer"/> is the one this request must get.</summary>
    public bool IsAnsweredBy(AbuseAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return (MayCloseEarly && answer.Status == AbuseAnswer.ConnectionClosed) ||
               (answer.Status == Status && answer.Code == Code && (Param is null || answer.Param == Param));
    }

    public override string ToString() => Name;
}
