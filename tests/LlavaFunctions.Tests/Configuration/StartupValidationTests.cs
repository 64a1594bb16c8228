using LlavaFunctions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Tests.Configuration;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Several_bad_settings_stop_the_app_at_start_up_with_one_error_naming_each()
    {
        Exception error = await AppSettings.StartUpFailureAsync(new Dictionary<string, string?>
        {
            ["LLAVA_EXECUTION_PROVIDER"] = "tpu",
            ["LLAVA_IMAGES_CONTAINER"] = "Images_Upper",
            ["LLAVA_MODEL_CONTAINER"] = "models",
            ["LLAVA_MAX_CONCURRENT_GENERATIONS"] = "0",
            ["LLAVA_MAX_QUEUED_REQUESTS"] = "-1",
            ["LLAVA_BATCH_WINDOW_MS"] = "5000",
            ["LLAVA_READINESS_TIMEOUT_SECONDS"] = "0",
            ["LLAVA_CAPTION_MAX_TOKENS"] = "0",
            ["LLAVA_MAX_IMAGE_BYTES"] = "0",
            ["LLAVA_JOBS_QUEUE"] = "q",
            ["LLAVA_API_KEY"] = "guessable",
            ["HttpApi:MaxRequestBodyBytes"] = "10",
            ["HttpApi:HeartbeatInterval"] = "00:10:00",
        });

        string message = error.Message;
        foreach (string named in new[]
        {
            "LLAVA_MODEL_PATH", "LLAVA_MODEL_PREFIX", "LLAVA_EXECUTION_PROVIDER", "tpu", "LLAVA_IMAGES_CONTAINER 'Images_Upper'",
            "LLAVA_MAX_CONCURRENT_GENERATIONS", "LLAVA_MAX_QUEUED_REQUESTS", "LLAVA_BATCH_WINDOW_MS: BatchWindow must be between 0 and 1 s", "LLAVA_READINESS_TIMEOUT_SECONDS", "LLAVA_CAPTION_MAX_TOKENS",
            "LLAVA_MAX_IMAGE_BYTES", "LLAVA_JOBS_QUEUE 'q'", "LLAVA_API_KEY", nameof(Llava.Serving.Http.Hosting.HttpApiOptions.MaxRequestBodyBytes), nameof(Llava.Serving.Http.Hosting.HttpApiOptions.HeartbeatInterval),
        })
        {
            Assert.Contains(named, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_setting_that_does_not_parse_stops_the_app_at_start_up_naming_it()
    {
        Exception error = await AppSettings.StartUpFailureAsync(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/x",
            ["LLAVA_MAX_QUEUED_REQUESTS"] = "eight",
        });

        Assert.Contains("LLAVA_MAX_QUEUED_REQUESTS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_containers_naming_the_host_s_containers_or_bad_names_stop_the_app()
    {
        using ServiceProvider services = AppSettings.Services(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/x",
            ["LLAVA_IMAGES_CONTAINER"] = "azure-webjobs-hosts",
            ["LLAVA_IMAGE_CONTAINERS"] = "more-images, azure-webjobs-secrets, Bad_Name, answers",
        });

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<LlavaAppOptions>());

        Assert.Contains("azure-webjobs-secrets", error.Message, StringComparison.Ordinal);
        Assert.Contains("LLAVA_IMAGES_CONTAINER 'azure-webjobs-hosts'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bad_Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("'answers'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("more-images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_container_allow_list_is_read_from_its_setting_after_the_images_container()
    {
        using ServiceProvider services = AppSettings.Services(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/x",
            ["LLAVA_IMAGE_CONTAINERS"] = " more-images ,scans,",
        });

        Assert.Equal(["images", "more-images", "scans"], services.GetRequiredService<LlavaAppOptions>().AllowedImageContainers);
    }

    [Fact]
    public void An_empty_setting_keeps_its_default()
    {
        Dictionary<string, string?> values = SettingNames().ToDictionary(key => key, _ => (string?)"");
        values[LlavaAppOptions.Keys.ModelPath] = "/models/x";
        using ServiceProvider services = AppSettings.Services(values);

        LlavaAppOptions bound = services.GetRequiredService<LlavaAppOptions>();

        Assert.Equal(new LlavaAppOptions { ModelPath = "/models/x" }, bound);
    }

    [Fact]
    public void The_sample_local_settings_describe_a_valid_configuration()
    {
        using ServiceProvider services = AppSettings.Services(AppSettings.Sample());

        LlavaAppOptions options = services.GetRequiredService<LlavaAppOptions>();

        Assert.Empty(LlavaAppOptionsValidator.Problems(options));
        Assert.Equal("../../models/demo-llava-v1.6-mistral", options.ModelPath);
    }

    private static IEnumerable<string> SettingNames() =>
        typeof(LlavaAppOptions.Keys).GetFields().Select(f => (string)f.GetValue(null)!);
}
