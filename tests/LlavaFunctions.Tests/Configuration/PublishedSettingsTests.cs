using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Llava.Serving.Http.Hosting;
using LlavaFunctions.Configuration;
using LlavaFunctions.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Tests.Configuration;

/// <summary>
/// The settings published in local.settings.sample.json, infra/app/llava.bicep and docs/functions.md are exactly the
/// ones the app binds, and each of them reaches the options the app runs with.
/// </summary>
public sealed partial class PublishedSettingsTests
{
    /// <summary>A valid value for every <c>LLAVA_*</c> setting, none of them the default.</summary>
    private static readonly Dictionary<string, string?> s_everySetting = new(StringComparer.Ordinal)
    {
        [LlavaAppOptions.Keys.ModelPath] = "/models/other",
        [LlavaAppOptions.Keys.ModelContainer] = "weights",
        [LlavaAppOptions.Keys.ModelPrefix] = "llava/v2",
        [LlavaAppOptions.Keys.ExecutionProvider] = "cuda",
        [LlavaAppOptions.Keys.MaxConcurrentGenerations] = "3",
        [LlavaAppOptions.Keys.MaxQueuedRequests] = "5",
        [LlavaAppOptions.Keys.MaxBatchSize] = "6",
        [LlavaAppOptions.Keys.BatchWindowMs] = "40",
        [LlavaAppOptions.Keys.MemoryBudgetMib] = "2048",
        [LlavaAppOptions.Keys.ReadinessTimeoutSeconds] = "42",
        [LlavaAppOptions.Keys.ImagesContainer] = "pictures",
        [LlavaAppOptions.Keys.ImageContainers] = "scans,more-scans",
        [LlavaAppOptions.Keys.CaptionsContainer] = "alt-captions",
        [LlavaAppOptions.Keys.AnswersContainer] = "alt-answers",
        [LlavaAppOptions.Keys.JobsQueue] = "alt-jobs",
        [LlavaAppOptions.Keys.CaptionPrompt] = "Name the animal.",
        [LlavaAppOptions.Keys.CaptionMaxTokens] = "7",
        [LlavaAppOptions.Keys.MaxImageBytes] = "12345",
    };

    [Fact]
    public void The_sample_local_settings_list_exactly_the_settings_the_app_binds()
    {
        Assert.Equal(BoundSettingNames().Order(StringComparer.Ordinal), AppSettings.Sample().Keys.Where(IsAppSetting).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_LLAVA_setting_the_deployment_sets_is_one_the_app_binds()
    {
        string bicep = File.ReadAllText(Path.Combine(Llava.Testing.RepositoryPaths.Root, "infra", "app", "llava.bicep"));
        string[] deployed = [.. BicepSettingName().Matches(bicep).Select(m => m.Groups[1].Value)];

        Assert.Contains(LlavaAppOptions.Keys.ModelPath, deployed);
        Assert.Empty(deployed.Where(IsAppSetting).Except(BoundSettingNames()));
    }

    [Fact]
    public void The_settings_table_in_the_docs_lists_exactly_the_settings_the_app_binds()
    {
        string docs = File.ReadAllText(Path.Combine(Llava.Testing.RepositoryPaths.Root, "docs", "functions.md"));
        int start = docs.IndexOf("\n## Settings", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/functions.md has no Settings section.");
        int end = docs.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = docs[start..(end < 0 ? docs.Length : end)];

        string[] documented = [.. DocsSettingName().Matches(section).Select(m => m.Groups[1].Value)];

        Assert.Equal(BoundSettingNames().Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_LLAVA_setting_binds_to_the_options_the_app_runs_with()
    {
        Assert.Equal(LlavaSettingProperties().Keys.Order(StringComparer.Ordinal), s_everySetting.Keys.Order(StringComparer.Ordinal));
        using ServiceProvider services = AppSettings.Services(s_everySetting);

        LlavaAppOptions bound = services.GetRequiredService<LlavaAppOptions>();

        LlavaAppOptions defaults = new();
        foreach ((string key, PropertyInfo property) in LlavaSettingProperties())
        {
            object expected = Convert.ChangeType(s_everySetting[key]!, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, CultureInfo.InvariantCulture);
            Assert.NotEqual(property.GetValue(defaults), expected);
            Assert.Equal(expected, property.GetValue(bound));
        }

        // The engine runs with the same values, under no other name.
        Llava.Inference.LlavaEngineOptions engine = services.GetRequiredService<IOptions<Llava.Inference.LlavaEngineOptions>>().Value;
        Assert.Equal((bound.ModelPath, bound.ExecutionProvider, bound.MaxConcurrentGenerations, bound.MaxQueuedRequests, bound.MaxImageBytes), (engine.ModelPath, engine.ExecutionProvider, engine.MaxConcurrentGenerations, engine.MaxQueuedRequests, engine.MaxImageBytes));
        Assert.Equal((6, 2048L << 20), (engine.MaxBatchSize, engine.MemoryBudgetBytes));
        Assert.Equal(TimeSpan.FromMilliseconds(40), engine.BatchWindow);
        Assert.Equal(Llava.Inference.Loading.ChecksumVerification.SizeOnly, engine.Verification);
    }

    [Fact]
    public void Every_HttpApi_setting_binds_to_the_options_the_HTTP_handlers_run_with()
    {
        Dictionary<string, string?> values = new(s_everySetting);
        Dictionary<string, object> expected = [];
        HttpApiOptions defaults = new();
        foreach (PropertyInfo property in HttpApiProperties())
        {
            // A valid value that is not the default.
            object value = property.GetValue(defaults) switch
            {
                int number => number - 1,
                long number => number - 1024,
                TimeSpan time => time - TimeSpan.FromSeconds(1),
                object other => throw new InvalidOperationException($"No test value for {property.Name} ({other.GetType()})."),
                null => throw new InvalidOperationException($"{property.Name} has no default."),
            };
            expected[property.Name] = value;
            values[$"{HttpApiOptions.SectionName}:{property.Name}"] = Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        using ServiceProvider services = AppSettings.Services(values);

        HttpApiOptions bound = services.GetRequiredService<IOptions<HttpApiOptions>>().Value;
        Assert.All(HttpApiProperties(), property => Assert.Equal(expected[property.Name], property.GetValue(bound)));
    }

    [Fact]
    public void The_sample_s_HttpApi_values_are_the_defaults()
    {
        using ServiceProvider services = AppSettings.Services(AppSettings.Sample());

        HttpApiOptions bound = services.GetRequiredService<IOptions<HttpApiOptions>>().Value;

        HttpApiOptions defaults = new();
        Assert.All(HttpApiProperties(), property => Assert.Equal(property.GetValue(defaults), property.GetValue(bound)));
    }

    [Fact]
    public void Environment_style_names_bind_as_the_host_passes_them()
    {
        // The host hands app settings to the worker as environment variables; the worker reads them with the
        // standard environment provider, which turns HttpApi__MaxMessages into HttpApi:MaxMessages.
        const string prompt = LlavaAppOptions.Keys.CaptionPrompt, messages = "HttpApi__MaxMessages";
        Environment.SetEnvironmentVariable(prompt, "From the environment.");
        Environment.SetEnvironmentVariable(messages, "17");
        try
        {
            ServiceCollection services = new();
            services.AddLogging();
            services.AddLlavaFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [LlavaAppOptions.Keys.ModelPath] = "/models/x" }).AddEnvironmentVariables().Build());
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.Equal("From the environment.", provider.GetRequiredService<LlavaAppOptions>().CaptionPrompt);
            Assert.Equal(17, provider.GetRequiredService<IOptions<HttpApiOptions>>().Value.MaxMessages);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prompt, null);
            Environment.SetEnvironmentVariable(messages, null);
        }
    }

    /// <summary>The settings of this app: <c>LLAVA_*</c> and <c>HttpApi__*</c> (not the host's own, such as AzureWebJobsStorage).</summary>
    private static bool IsAppSetting(string name) =>
        name.StartsWith("LLAVA_", StringComparison.Ordinal) || name.StartsWith(HttpApiOptions.SectionName + "__", StringComparison.Ordinal);

    /// <summary>Every setting name the app binds, as an app setting is written.</summary>
    private static IEnumerable<string> BoundSettingNames() =>
        LlavaSettingProperties().Keys
            .Concat(typeof(ApiKeyOptions).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name))
            .Concat(HttpApiProperties().Select(p => $"{HttpApiOptions.SectionName}__{p.Name}"));

    private static Dictionary<string, PropertyInfo> LlavaSettingProperties() =>
        typeof(LlavaAppOptions).GetProperties()
            .Where(p => p.SetMethod is { IsPublic: true })
            .ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? throw new InvalidOperationException($"{p.Name} is settable but names no setting."), StringComparer.Ordinal);

    private static IEnumerable<PropertyInfo> HttpApiProperties() =>
        typeof(HttpApiOptions).GetProperties().Where(p => p.SetMethod is { IsPublic: true });

    [GeneratedRegex(@"name:\s*'([A-Za-z_]+)'")]
    private static partial Regex BicepSettingName();

    [GeneratedRegex(@"^\| `([A-Za-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocsSettingName();
}
