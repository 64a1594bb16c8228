using System.Text;
using System.Text.Json;
using Llava.Inference.Generation;
using Llava.Serving.Http;
using Llava.Serving.Http.Hosting;
using Llava.Serving.Http.Requests;
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

    [Fact]
    public async Task Models_lists_the_loaded_model_and_answers_404_in_OpenAI_s_envelope_for_another()
    {
        HttpContext list = Context("", "GET");
        HttpContext other = Context("", "GET");
        ServingHttp functions = Functions();

        await functions.ModelsAsync(list.Request, CancellationToken.None);
        await functions.ModelAsync(other.Request, "gpt-4o", CancellationToken.None);

        Assert.Equal(200, list.Response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(Body(list));
        JsonElement model = Assert.Single(body.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("llava-1.5", model.GetProperty("id").GetString());
        Assert.Equal(4096, model.GetProperty("context_length").GetInt32());
        Assert.Equal(404, other.Response.StatusCode);
        using JsonDocument error = JsonDocument.Parse(Body(other));
        Assert.Equal("model_not_found", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private ServingHttp Functions()
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddSingleton(app.Model);
        services.AddSingleton<IImageReferenceResolver>(new OwnStorageImages(app.Storage, app.Options));
        services.AddLlavaHttpApi();
        ServiceProvider provider = services.BuildServiceProvider();
        return new ServingHttp(provider.GetRequiredService<HealthHandler>(), provider.GetRequiredService<AskHandler>(), provider.GetRequiredService<ChatCompletionsHandler>(), provider.GetRequiredService<ModelsHandler>());
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
