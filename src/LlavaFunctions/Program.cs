using LlavaFunctions.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddLlavaFunctions(builder.Configuration);
builder.AddLlavaTelemetry();
await builder.Build().RunAsync();
