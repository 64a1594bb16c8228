using System.Text.Json;
using LlavaFunctions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlavaFunctions.Tests.Configuration;

/// <summary>The app follows the host's retry counts from host.json (or their app-setting overrides), never a copy of them.</summary>
public sealed class HostRetrySettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llava-hostjson-").FullName;

    [Fact]
    public void The_counts_come_from_host_json()
    {
        string path = HostJson("""{ "version": "2.0", "extensions": { "queues": { "maxDequeueCount": 7 }, "blobs": { "poisonBlobThreshold": 3 } } }""");

        LlavaAppOptions options = Options([], path);

        Assert.Equal(7, options.MaxDequeueCount);
        Assert.Equal(3, options.PoisonBlobThreshold);
    }

    [Fact]
    public void An_app_setting_overrides_host_json_as_it_does_for_the_host()
    {
        string path = HostJson("""{ "extensions": { "queues": { "maxDequeueCount": 7 } } }""");

        LlavaAppOptions options = Options(new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "9" }, path);

        Assert.Equal(9, options.MaxDequeueCount);
        Assert.Equal(HostRetrySettings.FunctionsDefault, options.PoisonBlobThreshold);
    }

    [Fact]
    public void Without_host_json_the_host_s_defaults_apply()
    {
        LlavaAppOptions options = Options([], Path.Combine(_folder, "absent.json"));

        Assert.Equal((HostRetrySettings.FunctionsDefault, HostRetrySettings.FunctionsDefault), (options.MaxDequeueCount, options.PoisonBlobThreshold));
    }

    [Fact]
    public void The_worker_reads_the_app_s_own_host_json_copied_next_to_it()
    {
        string source = Path.Combine(Llava.Testing.RepositoryPaths.Root, "src", "LlavaFunctions", "host.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(source));
        JsonElement extensions = json.RootElement.GetProperty("extensions");

        LlavaAppOptions options = Options([], HostRetrySettings.DefaultHostJsonPath);

        Assert.Equal(extensions.GetProperty("queues").GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(extensions.GetProperty("blobs").GetProperty("poisonBlobThreshold").GetInt32(), options.PoisonBlobThreshold);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string HostJson(string content)
    {
        string path = Path.Combine(_folder, "host.json");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Host_json_with_comments_and_other_casing_is_read_as_the_host_reads_it()
    {
        string path = HostJson("""
            {
              // the host allows comments and trailing commas
              "Extensions": { "Queues": { "MaxDequeueCount": 2, }, },
            }
            """);

        Assert.Equal(2, Options([], path).MaxDequeueCount);
    }

    [Fact]
    public void A_retry_count_that_is_not_a_number_stops_the_app_naming_it()
    {
        string path = HostJson("""{ "extensions": { "queues": { "maxDequeueCount": 7 } } }""");

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => Options(new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "many" }, path));

        Assert.Contains("maxDequeueCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_setting_named_like_the_retry_count_is_not_a_second_source()
    {
        string path = HostJson("""{ "extensions": { "queues": { "maxDequeueCount": 7 } } }""");

        LlavaAppOptions options = Options(new() { ["MaxDequeueCount"] = "2", ["PoisonBlobThreshold"] = "2" }, path);

        Assert.Equal((7, HostRetrySettings.FunctionsDefault), (options.MaxDequeueCount, options.PoisonBlobThreshold));
    }

    /// <summary>The settings as the app binds them, with host.json at <paramref name="hostJsonPath"/>.</summary>
    private static LlavaAppOptions Options(Dictionary<string, string?> values, string hostJsonPath)
    {
        values["LLAVA_MODEL_PATH"] = "/models/x";
        using ServiceProvider services = AppSettings.Services(values, hostJsonPath);
        return services.GetRequiredService<LlavaAppOptions>();
    }
}
