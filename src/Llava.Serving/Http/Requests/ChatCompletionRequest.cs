using Llava.Inference.Generation;
using Llava.Inference.Prompts;

namespace Llava.Serving.Http.Requests;

/// <summary>A parsed OpenAI chat completions request.</summary>
/// <param name="Model">The client's <c>model</c>, echoed back; null when absent.</param>
/// <param name="Messages">The conversation; image references are resolved later.</param>
/// <param name="Options">Decoding options.</param>
/// <param name="Stream">Answer as Server-Sent Events.</param>
/// <param name="IncludeUsage">With <see cref="Stream"/>: a usage chunk before <c>[DONE]</c>.</param>
internal sealed record ChatCompletionRequest(string? Model, IReadOnlyList<PromptMessage> Messages, GenerationOptions Options, bool Stream, bool IncludeUsage)
{
    /// <summary>The names the client used for the generation options (errors found later name them).</summary>
    public GenerationFieldNames Fields { get; init; } = GenerationFieldNames.Chat("max_tokens");

    /// <summary>Image parts in all messages.</summary>
    public int ImageCount { get; init; }
}
