using System.Text;
using Llava.Serving.Http.Errors;
using LlavaFunctions.Http;
using LlavaFunctions.Tests.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LlavaFunctions.Tests.Http;

/// <summary>HttpApi settings of the Functions app reach the shared HTTP handlers its functions call.</summary>
public sealed class HttpApiSettingsTests
{
    [Fact]
    public async Task A_body_limit_set_in_the_app_settings_is_enforced_by_the_HTTP_functions()
    {
        using ServiceProvider services = AppSettings.Services(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/not-loaded",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["HttpApi__MaxRequestBodyBytes"] = "2048",
        });
        ServingHttp functions = ActivatorUtilities.CreateInstance<ServingHttp>(services);
        // 4 KiB: far below the default limit (32 MiB), over the configured one; refused before anything waits for the model.
        string json = $$"""{"question":"{{new string('a', 4096)}}","imageUrl":"images/cat.png"}""";
        DefaultHttpContext context = new();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        context.Response.Body = new MemoryStream();

        await functions.AskAsync(context.Request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        string body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains(ApiErrorCodes.RequestTooLarge, body, StringComparison.Ordinal);
        Assert.Contains("2048", body, StringComparison.Ordinal);
    }
}
