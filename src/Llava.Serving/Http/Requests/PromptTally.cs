using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// Counts what a request carries against the request limits of <see cref="HttpApiOptions"/> while it is read, so
/// that an oversized prompt is refused at the part that crosses a limit, before any image is decoded or any text
/// is tokenized (the cost of a refusal stays proportional to the limit, not to the request).
/// </summary>
internal sealed class PromptTally(HttpApiOptions limits)
{
    private int _messages;
    private int _parts;
    private long _chars;

    /// <summary>Images seen so far (checked against the engine's limit once the model is known).</summary>
    public int Images { get; private set; }

    public void AddMessage(string path)
    {
        if (++_messages > limits.MaxMessages)
        {
            throw HttpApiException.OverLimit(ApiErrorCodes.TooManyMessages, path, $"A request may carry at most {limits.MaxMessages} messages (HttpApi:MaxMessages); '{path}' is one too many.");
        }
    }

    public void AddPart(string path)
    {
        if (++_parts > limits.MaxContentParts)
        {
            throw HttpApiException.OverLimit(ApiErrorCodes.TooManyContentParts, path, $"A request may carry at most {limits.MaxContentParts} content parts in all its messages (HttpApi:MaxContentParts); '{path}' is one too many.");
        }
    }

    public void AddImage(string path)
    {
        AddPart(path);
        Images++;
    }

    public void AddText(string text, string path)
    {
        AddPart(path);
        AddChars(text, path);
    }

    /// <summary>Text that is not a part of its own (a question, a system prompt).</summary>
    public void AddChars(string text, string path)
    {
        _chars += text.Length;
        if (_chars > limits.MaxPromptChars)
        {
            throw HttpApiException.OverLimit(ApiErrorCodes.PromptTextTooLong, path, $"A request may carry at most {limits.MaxPromptChars} characters of prompt text (HttpApi:MaxPromptChars); with '{path}' it has {_chars}.");
        }
    }
}
