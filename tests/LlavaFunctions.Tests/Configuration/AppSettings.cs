using LlavaFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlavaFunctions.Tests.Configuration;

/// <summary>The app's registrations over a given set of app settings, as the worker makes them.</summary>
internal static class AppSettings
{
    /// <summary>App settings as the worker sees them: the host passes them as environment variables, whose provider reads <c>__</c> as a section separator.</summary>
    public static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value))).Build();

    public static ServiceProvider Services(IEnumerable<KeyValuePair<string, string?>> values, string? hostJsonPath = null)
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddLlavaFunctions(Configuration(values), hostJsonPath ?? HostRetrySettings.DefaultHostJsonPath);
        return services.BuildServiceProvider();
    }

    /// <summary>Starts a host with the app's registrations (nothing of it runs before start-up validation) and returns why it did not start.</summary>
    public static async Task<Exception> StartUpFailureAsync(IEnumerable<KeyValuePair<string, string?>> values)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(Configuration(values));
        builder.Services.AddLlavaFunctions(builder.Configuration);
        using IHost host = builder.Build();
        return await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
    }

    /// <summary>The app settings of local.settings.sample.json (its <c>Values</c>).</summary>
    public static Dictionary<string, string?> Sample()
    {
        string sample = File.ReadAllText(Path.Combine(Llava.Testing.RepositoryPaths.Root, "local.settings.sample.json"));
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(sample);
        return json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString(), StringComparer.Ordinal);
    }
}
