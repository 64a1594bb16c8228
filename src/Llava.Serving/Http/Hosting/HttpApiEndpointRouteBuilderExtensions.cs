using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Llava.Serving.Http.Hosting;

/// <summary>Maps the HTTP API onto minimal-API routes (what <c>llava serve</c> does; the Functions app maps triggers instead).</summary>
public static class HttpApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /api/health</c>, <c>POST /api/ask</c>, <c>POST /v1/chat/completions</c>, <c>GET /v1/models</c> and
    /// <c>GET /v1/models/{id}</c> to the registered handlers.
    /// </summary>
    public static IEndpointRouteBuilder MapLlavaHttpApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(HttpApiRoutes.Health, context => context.RequestServices.GetRequiredService<HealthHandler>().HandleAsync(context))
            .WithName("health");
        endpoints.MapPost(HttpApiRoutes.Ask, context => context.RequestServices.GetRequiredService<AskHandler>().HandleAsync(context))
            .WithName("ask");
        endpoints.MapPost(HttpApiRoutes.ChatCompletions, context => context.RequestServices.GetRequiredService<ChatCompletionsHandler>().HandleAsync(context))
            .WithName("chat-completions");
        endpoints.MapGet(HttpApiRoutes.Models, context => context.RequestServices.GetRequiredService<ModelsHandler>().ListAsync(context))
            .WithName("models");
        endpoints.MapGet(HttpApiRoutes.Model, context => context.RequestServices.GetRequiredService<ModelsHandler>().GetAsync(context, (string)context.Request.RouteValues["id"]!))
            .WithName("model");
        return endpoints;
    }
}
