using LlavaFunctions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlavaFunctions.Tests.Configuration;

public sealed class StartupValidationTests
{
    [Fact]
    public void Bad_settings_stop_the_app_at_start_up_with_every_problem_named()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAVA_EXECUTION_PROVIDER"] = "tpu",
            ["LLAVA_IMAGES_CONTAINER"] = "Images_Upper",
            ["LLAVA_MODEL_CONTAINER"] = "models",
        }).Build();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddLlavaFunctions(configuration));

        Assert.Contains("LLAVA_MODEL_PATH", error.Message, StringComparison.Ordinal);
        Assert.Contains("LLAVA_MODEL_PREFIX", error.Message, StringComparison.Ordinal);
        Assert.Contains("tpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("Images_Upper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_containers_naming_the_host_s_containers_or_bad_names_stop_the_app()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/x",
            ["LLAVA_IMAGES_CONTAINER"] = "azure-webjobs-hosts",
            ["LLAVA_IMAGE_CONTAINERS"] = "more-images, azure-webjobs-secrets, Bad_Name, answers",
        }).Build();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddLlavaFunctions(configuration));

        Assert.Contains("azure-webjobs-secrets", error.Message, StringComparison.Ordinal);
        Assert.Contains("LLAVA_IMAGES_CONTAINER 'azure-webjobs-hosts'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bad_Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("'answers'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("more-images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_container_allow_list_is_read_from_its_setting_after_the_images_container()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAVA_IMAGE_CONTAINERS"] = " more-images ,scans,",
        }).Build();

        LlavaAppOptions options = LlavaAppOptionsReader.Read(configuration);

        Assert.Equal(["images", "more-images", "scans"], options.AllowedImageContainers);
    }

    [Fact]
    public void The_sample_local_settings_describe_a_valid_configuration()
    {
        string sample = File.ReadAllText(Llava.Testing.RepositoryPaths.Root + "/local.settings.sample.json");
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(sample);
        Dictionary<string, string?> values = json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString());
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        LlavaAppOptions options = LlavaAppOptionsReader.Read(configuration);

        Assert.Empty(options.Validate());
        foreach (string key in typeof(LlavaAppOptions.Keys).GetFields().Select(f => (string)f.GetValue(null)!))
        {
            Assert.True(values.ContainsKey(key), $"local.settings.sample.json does not list {key}");
        }
    }
}
