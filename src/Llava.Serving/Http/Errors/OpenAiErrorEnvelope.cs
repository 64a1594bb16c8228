using System.Text.Json.Serialization;

namespace Llava.Serving.Http.Errors;

/// <summary>OpenAI's error body: <c>{"error": {...}}</c>.</summary>
public sealed record OpenAiErrorEnvelope([property: JsonPropertyName("error")] OpenAiError Error);
