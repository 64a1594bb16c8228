using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llava.Infra.Tests.Arm;

namespace Llava.Infra.Tests;

[Collection(CompiledInfrastructureGroup.Name)]
public sealed partial class ContainerAppTests(CompiledInfrastructure infrastructure)
{
    private CompiledDeployment T4 => infrastructure["t4"];

    [Fact]
    public void App_is_a_native_functions_container_app_on_the_environment()
    {
        ArmResource app = T4.App();

        Assert.Equal("functionapp", app.Get("kind"));
        Assert.Equal(T4.Single("Microsoft.App/managedEnvironments").Id, app.Get("properties.environmentId"));
        Assert.Null(app.Get("properties.managedEnvironmentId"));
        Assert.Equal("llava", ((Dictionary<string, object?>)app.Get("tags")!)["azd-service-name"]);
        Assert.Equal(true, app.Get("properties.configuration.ingress.external"));
        Assert.Equal(false, app.Get("properties.configuration.ingress.allowInsecure"));
        Assert.Single((List<object?>)app.Get("properties.template.containers")!);
    }

    [Fact]
    public void App_runs_as_the_user_assigned_identity_and_uses_its_client_id_everywhere()
    {
        ArmResource app = T4.App();
        string identityId = T4.Identity().Id;

        Assert.Equal("UserAssigned", app.Get("identity.type"));
        var identities = (Dictionary<string, object?>)app.Get("identity.userAssignedIdentities")!;
        Assert.Equal([identityId], identities.Keys);

        string clientId = $"reference('{identityId}').clientId";
        Assert.Equal(clientId, ArmValue.Format(T4.AppSetting("AzureWebJobsStorage__clientId")));
        Assert.Equal(clientId, ArmValue.Format(T4.AppSetting("AZURE_CLIENT_ID")));
        Assert.Equal($"Authorization=AAD;ClientId={clientId}", ArmValue.Format(T4.AppSetting("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")));

        // The image is pulled with the same identity, from the deployment's registry.
        var registry = (Dictionary<string, object?>)((List<object?>)app.Get("properties.configuration.registries")!).Single()!;
        Assert.Equal(identityId, registry["identity"]);
        Assert.Equal($"reference('{T4.Single("Microsoft.ContainerRegistry/registries").Id}').loginServer", ArmValue.Format(registry["server"]));
        Assert.False(registry.ContainsKey("passwordSecretRef"));
    }

    [Fact]
    public void Every_setting_the_app_reads_is_set()
    {
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            Dictionary<string, Dictionary<string, object?>> settings = infrastructure[profile].AppSettings();
            Assert.All(AppContract.Settings, name => Assert.True(settings.ContainsKey(name), $"{profile}: setting '{name}' is missing."));
            Assert.All(settings.Values, entry => Assert.NotNull(entry.GetValueOrDefault("value")));
        }
    }

    [Fact]
    public void Settings_carry_the_contract_values()
    {
        CompiledDeployment deployment = T4;

        Assert.Equal("managedidentity", deployment.AppSetting("AzureWebJobsStorage__credential"));
        Assert.Equal("dotnet-isolated", deployment.AppSetting("FUNCTIONS_WORKER_RUNTIME"));
        Assert.Equal("cuda", deployment.AppSetting("LLAVA_EXECUTION_PROVIDER"));
        Assert.Equal("1", deployment.AppSetting("LLAVA_MAX_CONCURRENT_GENERATIONS"));
        Assert.Equal("8", deployment.AppSetting("LLAVA_MAX_QUEUED_REQUESTS"));
        Assert.True(int.Parse((string)deployment.AppSetting("LLAVA_READINESS_TIMEOUT_SECONDS")!, CultureInfo.InvariantCulture) >= 60);
        Assert.Equal(deployment.Parameters["modelPrefix"], deployment.AppSetting("LLAVA_MODEL_PREFIX"));
        Assert.Equal(
            $"reference('{deployment.Single("Microsoft.Insights/components").Id}').ConnectionString",
            ArmValue.Format(deployment.AppSetting("APPLICATIONINSIGHTS_CONNECTION_STRING")));
    }

    [Fact]
    public void The_host_listens_where_the_ingress_sends_traffic()
    {
        long targetPort = (long)T4.App().Get("properties.configuration.ingress.targetPort")!;

        Assert.Equal($"http://+:{targetPort}", T4.AppSetting("ASPNETCORE_URLS"));
        Assert.NotEqual(80L, targetPort); // the image runs unprivileged
    }

    [Fact]
    public void The_model_is_downloaded_into_a_replica_scoped_volume()
    {
        CompiledDeployment deployment = T4;
        string modelPath = (string)deployment.AppSetting("LLAVA_MODEL_PATH")!;
        var mounts = ((List<object?>)deployment.AppContainer()["volumeMounts"]!).Cast<Dictionary<string, object?>>().ToList();
        var volumes = ((List<object?>)deployment.App().Get("properties.template.volumes")!).Cast<Dictionary<string, object?>>().ToList();

        Dictionary<string, object?> mount = Assert.Single(mounts, m => modelPath.StartsWith((string)m["mountPath"]! + "/", StringComparison.Ordinal));
        Dictionary<string, object?> volume = Assert.Single(volumes, v => Equals(v["name"], mount["volumeName"]));
        Assert.Equal("EmptyDir", volume["storageType"]);
    }

    [Fact]
    public void No_secret_or_key_appears_in_the_app_or_anywhere_in_the_template()
    {
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            ArmResource app = deployment.App();

            Assert.Null(app.Get("properties.configuration.secrets"));
            Assert.DoesNotContain("AzureWebJobsStorage", deployment.AppSettings().Keys);
            foreach ((string name, Dictionary<string, object?> entry) in deployment.AppSettings())
            {
                Assert.False(entry.ContainsKey("secretRef"), $"{name} is a secret reference.");
                string value = ArmValue.Format(entry["value"]);
                Assert.DoesNotMatch(SecretPattern(), value);
            }

            // Nothing in the whole compiled template reads keys or carries a key-bearing connection string.
            Assert.DoesNotMatch(KeyFunctionPattern(), deployment.TemplateText);
            Assert.DoesNotMatch(SecretPattern(), deployment.TemplateText);
            Assert.DoesNotContain("securestring", deployment.TemplateText, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Application_insights_accepts_entra_authenticated_telemetry_only()
    {
        Assert.Equal(true, T4.Single("Microsoft.Insights/components").Get("properties.DisableLocalAuth"));
    }

    [Fact]
    public void Registry_has_no_admin_user_and_no_anonymous_pull()
    {
        ArmResource registry = T4.Single("Microsoft.ContainerRegistry/registries");

        Assert.Equal(false, registry.Get("properties.adminUserEnabled"));
        Assert.Equal(false, registry.Get("properties.anonymousPullEnabled"));
    }

    [Fact]
    public void Scale_limits_come_from_parameters_and_allow_scale_to_zero()
    {
        JsonObject minReplicas = T4.Template["parameters"]!["minReplicas"]!.AsObject();
        Assert.Equal(0, minReplicas["minValue"]!.GetValue<int>());

        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            Assert.Equal(deployment.Parameters["minReplicas"], deployment.App().Get("properties.template.scale.minReplicas"));
            Assert.Equal(deployment.Parameters["maxReplicas"], deployment.App().Get("properties.template.scale.maxReplicas"));
        }

        Assert.Equal(0L, infrastructure["t4"].App().Get("properties.template.scale.minReplicas"));
    }

    // Storage account keys, SAS signatures, shared access keys of any service.
    [GeneratedRegex("AccountKey=|SharedAccessSignature|SharedAccessKey=|[?&]sig=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex KeyFunctionPattern();
}
