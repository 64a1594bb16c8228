using Llava.Serving.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlavaFunctions.Http;

/// <summary>
/// The HTTP API shared with <c>llava serve</c>: each function hands the request to the same handler, which
/// writes the response (JSON, Server-Sent Events, problem details) itself. Health is anonymous so probes need
/// no key; the OpenAI-compatible <c>/v1/*</c> functions are anonymous at the host because OpenAI clients send their
/// key as a bearer token, which <see cref="ApiKeyMiddleware"/> checks in the worker; everything else needs a function key.
/// </summary>
public sealed class ServingHttp(HealthHandler health, AskHandler ask, ChatCompletionsHandler chat, ModelsHandler models)
{
    [Function("Health")]
    public async Task<IActionResult> HealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await health.HandleAsync(request, cancellationToken);
        return new EmptyResult();
    }

    [Function("Ask")]
    public async Task<IActionResult> AskAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/ask")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await ask.HandleAsync(request, cancellationToken);
        return new EmptyResult();
    }

    [Function("ChatCompletions")]
    public async Task<IActionResult> ChatCompletionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await chat.HandleAsync(request, cancellationToken);
        return new EmptyResult();
    }

    [Function("Models")]
    public async Task<IActionResult> ModelsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await models.ListAsync(request, cancellationToken);
        return new EmptyResult();
    }

    [Function("Model")]
    public async Task<IActionResult> ModelAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        await models.GetAsync(request, id, cancellationToken);
        return new EmptyResult();
    }
}
