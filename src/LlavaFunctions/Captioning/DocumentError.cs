using System.Text.Json.Serialization;

namespace LlavaFunctions.Captioning;

/// <summary>Why a caption or job has no answer: a stable code and a message for people.</summary>
public sealed record DocumentError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);
