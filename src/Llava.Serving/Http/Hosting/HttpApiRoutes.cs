namespace Llava.Serving.Http.Hosting;

/// <summary>The routes of the HTTP API (the Functions app's HTTP triggers use the same).</summary>
public static class HttpApiRoutes
{
    public const string Health = "/api/health";

    public const string Ask = "/api/ask";

    public const string ChatCompletions = "/v1/chat/completions";

    public const string Models = "/v1/models";

    /// <summary>One model by id (<c>{id}</c> is the route parameter).</summary>
    public const string Model = "/v1/models/{id}";
}
