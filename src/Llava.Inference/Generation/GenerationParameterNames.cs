namespace Llava.Inference.Generation;

/// <summary>
/// The names an <see cref="Errors.InvalidParameterException"/> gives its parameter: the OpenAI-style wire names
/// of <see cref="GenerationOptions"/>'s properties, which the HTTP API reports as <c>param</c>.
/// </summary>
public static class GenerationParameterNames
{
    public const string MaxTokens = "max_tokens";

    public const string Temperature = "temperature";

    public const string TopP = "top_p";

    public const string TopK = "top_k";

    public const string RepetitionPenalty = "repetition_penalty";

    public const string Stop = "stop";

    public const string ResponseFormat = "response_format";
}
