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
            Assert.All(settings.Values, entry => Assert.True(
                entry.GetValueOrDefault("value") is not null || entry.GetValueOrDefault("secretRef") is not null,
                $"{profile}: setting '{entry["name"]}' has neither a value nor a secret reference."));
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
    public void The_host_listens_where_the_ingress_sends_traffic_even_in_the_placeholder_of_the_first_provision()
    {
        long targetPort = (long)T4.App().Get("properties.configuration.ingress.targetPort")!;

        // Before the first `azd deploy` the app runs Microsoft's Functions quickstart image, whose base image sets
        // ASPNETCORE_URLS=http://+:80; the app setting overrides it, and `azd deploy` later swaps only the image.
        Assert.Equal("", T4.Parameters.GetValueOrDefault("containerImage") ?? "");
        Assert.StartsWith("mcr.microsoft.com/azure-functions/", (string)T4.AppContainer()["image"]!, StringComparison.Ordinal);

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
    public void The_only_secret_is_the_api_key_from_a_secure_parameter_and_nothing_reads_keys()
    {
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            ArmResource app = deployment.App();

            // One Container Apps secret, holding the secure apiKey parameter, referenced by LLAVA_API_KEY only.
            var secrets = ((List<object?>)app.Get("properties.configuration.secrets")!).Cast<Dictionary<string, object?>>().ToList();
            Dictionary<string, object?> secret = Assert.Single(secrets);
            Assert.Equal(CompiledDeployment.TestApiKey, secret["value"]);
            Assert.False(secret.ContainsKey("keyVaultUrl"));
            Dictionary<string, object?> apiKey = deployment.AppSettings()[AppContract.ApiKeySetting];
            Assert.Equal(secret["name"], apiKey["secretRef"]);
            Assert.False(apiKey.ContainsKey("value"));
            Assert.Equal(
                [AppContract.ApiKeySetting],
                deployment.AppSettings().Where(entry => entry.Value.ContainsKey("secretRef")).Select(entry => entry.Key));
            Assert.Equal("securestring", deployment.Template["parameters"]!["apiKey"]!["type"]!.GetValue<string>());

            Assert.DoesNotContain("AzureWebJobsStorage", deployment.AppSettings().Keys);
            foreach ((string name, Dictionary<string, object?> entry) in deployment.AppSettings())
            {
                Assert.DoesNotMatch(SecretPattern(), ArmValue.Format(entry.GetValueOrDefault("value")));
            }

            // Nothing in the whole compiled template reads keys or carries a key-bearing connection string, and the
            // only secure parameters are the API key on its way to the app.
            Assert.DoesNotMatch(KeyFunctionPattern(), deployment.TemplateText);
            Assert.DoesNotMatch(SecretPattern(), deployment.TemplateText);
            Assert.Equal(2, SecureParameterPattern().Count(deployment.TemplateText));
        }
    }

    [Fact]
    public void The_api_key_is_generated_by_azd_and_must_be_long()
    {
        JsonObject main = T4.Template["parameters"]!["apiKey"]!.AsObject();
        Assert.Equal("generate", main["metadata"]!["azd"]!["type"]!.GetValue<string>());
        Assert.True(main["metadata"]!["azd"]!["config"]!["length"]!.GetValue<int>() >= 32);

        // The app module refuses a short key (the parameter files read it from LLAVA_API_KEY, which may be unset).
        JsonObject module = LlavaModuleTemplate(T4)["parameters"]!["apiKey"]!.AsObject();
        Assert.Equal("securestring", module["type"]!.GetValue<string>());
        Assert.True(module["minLength"]!.GetValue<int>() >= 32);
    }

    [Fact]
    public void Ingress_admits_only_the_configured_ranges_or_everyone_when_told_so()
    {
        // t4.bicepparam lists two ranges (with a space after the comma); a100.bicepparam says '*'.
        var restrictions = ((List<object?>)T4.App().Get("properties.configuration.ingress.ipSecurityRestrictions")!)
            .Cast<Dictionary<string, object?>>().ToList();
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32"], restrictions.Select(r => r["ipAddressRange"]));
        Assert.All(restrictions, r => Assert.Equal("Allow", r["action"]));
        Assert.Equal(restrictions.Count, restrictions.Select(r => r["name"]).Distinct().Count());

        Assert.Equal("*", infrastructure["a100"].Parameters["allowedIpRanges"]);
        Assert.Empty((List<object?>)infrastructure["a100"].App().Get("properties.configuration.ingress.ipSecurityRestrictions")!);

        // No default: whoever deploys chooses who can wake the GPU.
        Assert.Null(T4.Template["parameters"]!["allowedIpRanges"]!["defaultValue"]);
    }

    [Fact]
    public void Scale_rules_are_declared_with_the_apps_identity_instead_of_generated()
    {
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            ArmResource app = deployment.App();
            var rules = ((List<object?>)app.Get("properties.template.scale.rules")!).Cast<Dictionary<string, object?>>().ToList();

            Assert.Equal(true, app.Get("properties.template.scale.allowScalingRuleOverride"));
            Assert.Equal(["http", "vqa-jobs"], rules.Select(r => r["name"]));

            // A queued job wakes the app from zero, read with the user-assigned identity (no connection string).
            var queue = (Dictionary<string, object?>)rules.Single(r => Equals(r["name"], "vqa-jobs"))["azureQueue"]!;
            Assert.Equal(deployment.StorageAccount().Name, queue["accountName"]);
            Assert.Equal(AppContract.JobsQueue, queue["queueName"]);
            // One replica per batch of waiting jobs: the engine's batch size, which host.json's batchSize matches.
            long batch = long.Parse((string)deployment.AppSetting("LLAVA_MAX_BATCH_SIZE")!, CultureInfo.InvariantCulture);
            Assert.Equal(batch, Convert.ToInt64(queue["queueLength"], CultureInfo.InvariantCulture));
            Assert.Equal(deployment.Identity().Id, queue["identity"]);
            Assert.False(queue.ContainsKey("auth"));
            Assert.Contains(deployment.Identity().Id, ((Dictionary<string, object?>)app.Get("identity.userAssignedIdentities")!).Keys);

            // HTTP scales out past what one replica holds: the rows of its running batches plus the waiting requests.
            var http = (Dictionary<string, object?>)((Dictionary<string, object?>)rules.Single(r => Equals(r["name"], "http"))["http"]!)["metadata"]!;
            long perReplica = (long.Parse((string)deployment.AppSetting("LLAVA_MAX_CONCURRENT_GENERATIONS")!, CultureInfo.InvariantCulture) * batch)
                + long.Parse((string)deployment.AppSetting("LLAVA_MAX_QUEUED_REQUESTS")!, CultureInfo.InvariantCulture);
            Assert.Equal(perReplica.ToString(CultureInfo.InvariantCulture), http["concurrentRequests"]);
        }
    }

    [Fact]
    public void The_hosts_queue_and_blob_concurrency_equal_the_engines_batch_size_so_arrivals_fill_one_batch()
    {
        JsonNode host = JsonNode.Parse(File.ReadAllText(TestEnvironment.InRepository("src", "LlavaFunctions", "host.json")))!;
        long queueBatch = host["extensions"]!["queues"]!["batchSize"]!.GetValue<long>();
        long blobParallelism = host["extensions"]!["blobs"]!["maxDegreeOfParallelism"]!.GetValue<long>();

        // newBatchThreshold 0: the host fetches the next messages once the whole batch is done, as static batching runs.
        Assert.Equal(0, host["extensions"]!["queues"]!["newBatchThreshold"]!.GetValue<long>());
        Assert.Equal(queueBatch, blobParallelism);

        // The image's host.json carries the T4 default; each deployment overrides it with its own batch size.
        Assert.Equal(queueBatch.ToString(CultureInfo.InvariantCulture), (string)infrastructure["t4"].AppSetting("LLAVA_MAX_BATCH_SIZE")!);
        Assert.Equal("16", (string)infrastructure["a100"].AppSetting("LLAVA_MAX_BATCH_SIZE")!);
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            string batch = (string)deployment.AppSetting("LLAVA_MAX_BATCH_SIZE")!;
            Assert.Equal(batch, (string)deployment.AppSetting("AzureFunctionsJobHost__extensions__queues__batchSize")!);
            Assert.Equal(batch, (string)deployment.AppSetting("AzureFunctionsJobHost__extensions__blobs__maxDegreeOfParallelism")!);
        }
    }

    [Fact]
    public void A_replica_being_removed_gets_the_function_timeout_and_the_cooldown_is_explicit()
    {
        JsonNode host = JsonNode.Parse(File.ReadAllText(TestEnvironment.InRepository("src", "LlavaFunctions", "host.json")))!;
        TimeSpan functionTimeout = TimeSpan.Parse(host["functionTimeout"]!.GetValue<string>(), CultureInfo.InvariantCulture);

        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            CompiledDeployment deployment = infrastructure[profile];
            ArmResource app = deployment.App();

            Assert.Equal((long)functionTimeout.TotalSeconds, app.Get("properties.template.terminationGracePeriodSeconds"));
            long cooldown = (long)app.Get("properties.template.scale.cooldownPeriod")!;
            Assert.Equal(deployment.Parameters.GetValueOrDefault("cooldownSeconds") ?? 300L, cooldown);
        }

        Assert.Equal(600L, infrastructure["a100"].App().Get("properties.template.scale.cooldownPeriod"));
        Assert.Equal(300L, T4.Template["parameters"]!["cooldownSeconds"]!["defaultValue"]!.GetValue<long>());
    }

    [Fact]
    public void Log_analytics_refuses_shared_keys()
    {
        Assert.Equal(true, T4.Single("Microsoft.OperationalInsights/workspaces").Get("properties.features.disableLocalAuth"));
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

    [GeneratedRegex("\"type\": \"securestring\"", RegexOptions.IgnoreCase)]
    private static partial Regex SecureParameterPattern();

    private static JsonObject LlavaModuleTemplate(CompiledDeployment deployment) =>
        deployment.Template["resources"]!.AsArray().OfType<JsonObject>()
            .Single(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments" && r["name"]!.GetValue<string>() == "llava")
            ["properties"]!["template"]!.AsObject();
}
