using Llava.Serving.Http.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Http;

/// <summary>
/// Checks the bearer API key on the OpenAI-compatible routes (<c>/v1/*</c>) before their function runs, and refuses
/// with OpenAI's error envelope (401, <c>invalid_api_key</c>) so that OpenAI clients report it as they would
/// OpenAI's own. Other routes keep the host's function keys.
/// </summary>
public sealed partial class ApiKeyMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        HttpContext? http = context.GetHttpContext();
        if (http is null || !http.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        ApiKeyAuthorization keys = context.InstanceServices.GetRequiredService<ApiKeyAuthorization>();
        if (keys.IsAuthorized(http.Request.Headers.Authorization))
        {
            await next(context);
            return;
        }

        string message = keys.IsConfigured
            ? "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'."
            : $"This server has no API key configured ({ApiKeyAuthorization.SettingName}), so it refuses every request to this endpoint.";
        Log.Refused(context.GetLogger<ApiKeyMiddleware>(), http.Request.Path, keys.IsConfigured);
        http.Response.Headers.WWWAuthenticate = "Bearer";
        await ApiErrorMapper.WriteOpenAiErrorAsync(http, new ApiError(ApiErrorCodes.InvalidApiKey, message), context.CancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(701, LogLevel.Warning, "Refused {Path}: no valid API key (key configured: {KeyConfigured})")]
        public static partial void Refused(ILogger logger, string path, bool keyConfigured);
    }
}
