using LlavaFunctions.Configuration;
using LlavaFunctions.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ApiKeyMiddleware>();
builder.Services.AddLlavaFunctions(builder.Configuration);
builder.AddLlavaTelemetry();
await builder.Build().RunAsync();
