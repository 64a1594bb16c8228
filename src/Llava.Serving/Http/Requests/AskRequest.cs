using Llava.Inference.Generation;
using Llava.Inference.Prompts;

namespace Llava.Serving.Http.Requests;

/// <summary>A parsed <c>POST /api/ask</c>: the image (bytes or a reference), the question, an optional system prompt and decoding options.</summary>
internal sealed record AskRequest(PromptPart Image, string Question, string? System, GenerationOptions Options)
{
    /// <summary>The conversation the engine answers: an optional system turn, then the image and the question.</summary>
    public IReadOnlyList<PromptMessage> ToMessages()
    {
        PromptMessage user = new(PromptRole.User, [Image, new TextPart(Question)]);
        return string.IsNullOrEmpty(System) ? [user] : [PromptMessage.System(System), user];
    }
}
