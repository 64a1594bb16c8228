using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace LlavaFunctions.Configuration;

/// <summary>
/// OpenTelemetry for the worker: the Functions invocation traces, the engine's and the HTTP API's meters
/// (time to first token, tokens/s, image tokens, failures by kind) and activities, exported to Application
/// Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public static class TelemetryExtensions
{
    public const string MeterName = Telemetry.FunctionsTelemetry.Name;

    public static FunctionsApplicationBuilder AddLlavaTelemetry(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IOpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(MeterName, "Llava.Serving", Llava.Inference.Generation.GenerationMetrics.Name))
            .WithTracing(tracing => tracing.AddSource(MeterName, "Llava.Serving"));
        if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            // Application Insights has local (key) auth disabled: the exporter signs in as the app's identity.
            string? clientId = builder.Configuration["AZURE_CLIENT_ID"];
            telemetry.UseAzureMonitorExporter(options => options.Credential = string.IsNullOrEmpty(clientId)
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)));
        }

        return builder;
    }
}
