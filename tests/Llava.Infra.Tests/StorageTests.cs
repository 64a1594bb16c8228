namespace Llava.Infra.Tests;

[Collection(CompiledInfrastructureGroup.Name)]
public sealed class StorageTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void Storage_account_takes_no_keys_no_plain_http_no_old_tls_and_no_anonymous_reads()
    {
        foreach (string profile in CompiledInfrastructure.GpuProfiles.Keys)
        {
            Dictionary<string, object?> properties = (Dictionary<string, object?>)infrastructure[profile].StorageAccount().Get("properties")!;

            Assert.Equal(false, properties["allowSharedKeyAccess"]);
            Assert.Equal(true, properties["supportsHttpsTrafficOnly"]);
            Assert.Equal("TLS1_2", properties["minimumTlsVersion"]);
            Assert.Equal(false, properties["allowBlobPublicAccess"]);
        }
    }

    [Fact]
    public void Every_container_and_queue_the_app_uses_is_created()
    {
        CompiledDeployment deployment = infrastructure["t4"];
        string account = deployment.StorageAccount().Name;

        List<string> containers = deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => c.Name).ToList();
        List<string> queues = deployment.OfType("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => q.Name).ToList();

        Assert.All(AppContract.Containers, name => Assert.Contains($"{account}/default/{name}", containers));
        Assert.All(AppContract.Queues, name => Assert.Contains($"{account}/default/{name}", queues));
        Assert.All(
            deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.Get("properties.publicAccess")));
    }

    [Fact]
    public void The_app_settings_name_the_created_containers_queue_and_account()
    {
        CompiledDeployment deployment = infrastructure["t4"];
        var containers = deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.ShortName).ToHashSet();
        var queues = deployment.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.ShortName).ToHashSet();

        foreach ((string setting, string container) in AppContract.ContainerSettings)
        {
            Assert.Equal(container, deployment.AppSetting(setting));
            Assert.Contains(container, containers);
        }

        Assert.Equal(AppContract.JobsQueue, deployment.AppSetting("LLAVA_JOBS_QUEUE"));
        Assert.Contains(AppContract.JobsQueue, queues);
        Assert.Contains($"{AppContract.JobsQueue}-poison", queues);
        Assert.Equal(deployment.StorageAccount().Name, deployment.AppSetting("AzureWebJobsStorage__accountName"));
    }

    [Fact]
    public void Event_grid_system_topic_publishes_the_storage_accounts_events()
    {
        CompiledDeployment deployment = infrastructure["t4"];
        Arm.ArmResource topic = deployment.Single("Microsoft.EventGrid/systemTopics");

        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.Get("properties.topicType"));
        Assert.Equal(deployment.StorageAccount().Id, topic.Get("properties.source"));
        Assert.Equal(topic.Name, deployment.Outputs["EVENTGRID_SYSTEM_TOPIC_NAME"]);
    }
}
