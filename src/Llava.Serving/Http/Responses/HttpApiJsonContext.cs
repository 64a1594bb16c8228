using System.Text.Json;
using System.Text.Json.Serialization;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Http.Responses;

/// <summary>Source-generated serialization of every response body (camelCase for this API's own shapes; OpenAI's shapes name their fields).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AskResponse))]
[JsonSerializable(typeof(AskDelta))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(OpenAiModel))]
[JsonSerializable(typeof(OpenAiModelList))]
public sealed partial class HttpApiJsonContext : JsonSerializerContext;
