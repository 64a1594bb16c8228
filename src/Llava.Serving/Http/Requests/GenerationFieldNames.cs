namespace Llava.Serving.Http.Requests;

/// <summary>What an endpoint calls each generation option, so that an error names the field the client sent.</summary>
internal sealed record GenerationFieldNames(string MaxTokens, string Temperature, string TopP, string TopK, string Seed, string Stop)
{
    /// <summary><c>POST /api/ask</c>'s camelCase names.</summary>
    public static GenerationFieldNames Ask { get; } = new("maxTokens", "temperature", "topP", "topK", "seed", "stop");

    /// <summary>OpenAI's names; <paramref name="maxTokens"/> is whichever of max_completion_tokens and max_tokens was sent.</summary>
    public static GenerationFieldNames Chat(string maxTokens) => new(maxTokens, "temperature", "top_p", "top_k", "seed", "stop");
}
