namespace Llava.Serving.Http.Responses;

/// <summary>The data of one <c>delta</c> event of a streamed ask: the next piece of the answer.</summary>
public sealed record AskDelta(string Text);
