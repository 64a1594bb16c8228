using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http;
using LlavaFunctions.Http;
using LlavaFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LlavaFunctions.Tests.Http;

/// <summary>The HTTP functions as the host invokes them (ASP.NET Core integration), over the shared handlers.</summary>
public sealed class ServingHttpTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Asking_about_a_blob_in_the_app_s_storage_answers_like_the_engine()
    {
        byte[] image = AppFixture.Image("chelsea_336x336");
        await app.Images.GetBlobClient("http/cat.png").UploadAsync(BinaryData.FromBytes(image), overwrite: true);
        HttpContext context = Context($$$"""{"question":"What is it?","imageUrl":"{{{app.Images.Name}}}/http/cat.png","maxTokens":5}""");

        await Functions().AskAsync(context.Request, CancellationToken.None);

        Assert.Equal(200, context.Response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(Body(context));
        GenerationResult expected = await (await app.EngineAsync()).AskAsync(image, "What is it?", new GenerationOptions { MaxNewTokens = 5 });
        Assert.Equal(expected.Text, body.RootElement.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task An_image_url_outside_the_app_s_storage_is_refused_without_fetching()
    {
        HttpContext context = Context("""{"question":"?","imageUrl":"http://127.0.0.1:9/elsewhere/cat.png"}""");

        await Functions().AskAsync(context.Request, CancellationToken.None);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Contains("storage account", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_the_model_it_serves()
    {
        HttpContext context = Context("", "GET");

        await Functions().HealthAsync(context.Request, CancellationToken.None);

        Assert.Equal(200, context.Response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(Body(context));
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("llava-1.5", body.RootElement.GetProperty("model").GetProperty("variant").GetString());
    }

    private ServingHttp Functions()
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddSingleton(app.Model);
        services.AddSingleton<IImageReferenceResolver>(new OwnStorageImages(app.Storage, app.Options));
        services.AddLlavaHttpApi();
        ServiceProvider provider = services.BuildServiceProvider();
        return new ServingHttp(provider.GetRequiredService<HealthHandler>(), provider.GetRequiredService<AskHandler>(), provider.GetRequiredService<ChatCompletionsHandler>());
    }

    private static HttpContext Context(string json, string method = "POST")
    {
        DefaultHttpContext context = new();
        context.Request.Method = method;
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        context.Request.ContentLength = json.Length;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }
}
