using Llava.Infra.Tests.Arm;
using Roles = Llava.Infra.Tests.AppContract.Roles;

namespace Llava.Infra.Tests;

[Collection(CompiledInfrastructureGroup.Name)]
public sealed class RoleAssignmentTests(CompiledInfrastructure infrastructure)
{
    private CompiledDeployment T4 => infrastructure["t4"];

    [Fact]
    public void The_app_identity_gets_exactly_the_roles_it_needs_each_on_one_resource()
    {
        string storage = T4.StorageAccount().Id;
        string registry = T4.Single("Microsoft.ContainerRegistry/registries").Id;
        string insights = T4.Single("Microsoft.Insights/components").Id;
        var expected = new HashSet<(string Scope, string Role)>
        {
            (storage, Roles.StorageBlobDataOwner),
            (storage, Roles.StorageQueueDataContributor),
            (storage, Roles.StorageTableDataContributor),
            (registry, Roles.AcrPull),
            (insights, Roles.MonitoringMetricsPublisher),
        };

        string appPrincipal = $"reference('{T4.Identity().Id}').principalId";
        List<(string Scope, string Role)> granted = AppAssignments(appPrincipal).Select(a => (ScopeOf(a), RoleOf(a))).ToList();

        Assert.Equal(expected.Count, granted.Count);
        Assert.True(
            expected.SetEquals(granted),
            $"Granted: {string.Join(", ", granted)}; expected: {string.Join(", ", expected)}.");
        Assert.All(AppAssignments(appPrincipal), a => Assert.Equal("ServicePrincipal", a.Get("properties.principalType")));
    }

    [Fact]
    public void Assignment_names_are_guid_of_scope_principal_and_role()
    {
        string identity = T4.Identity().Id;
        string topic = T4.Single("Microsoft.EventGrid/systemTopics").Id;
        foreach (ArmResource assignment in AllAssignments(withDeployer: true))
        {
            string principal = ArmValue.Format(assignment.Get("properties.principalId"));
            string principalKey = principal switch
            {
                _ when principal.StartsWith($"reference('{identity}'", StringComparison.Ordinal) => identity,
                _ when principal.StartsWith($"reference('{topic}'", StringComparison.Ordinal) => topic,
                _ => principal,
            };
            Assert.Equal(ArmScope.Guid([ScopeOf(assignment), principalKey, RoleOf(assignment)]), assignment.Name);
        }
    }

    [Fact]
    public void Nothing_is_granted_at_resource_group_or_subscription_scope()
    {
        Assert.All(AllAssignments(withDeployer: true), a => Assert.Contains("/providers/", ScopeOf(a), StringComparison.Ordinal));
    }

    [Fact]
    public void No_principal_gets_a_management_plane_role()
    {
        string[] managementRoles = [Roles.StorageAccountContributor, Roles.Contributor, Roles.Owner];
        Assert.All(AllAssignments(withDeployer: true), a => Assert.DoesNotContain(RoleOf(a), managementRoles));
    }

    [Fact]
    public void The_deployer_gets_data_roles_on_its_containers_only_and_only_when_a_principal_is_given()
    {
        Assert.DoesNotContain(AllAssignments(withDeployer: false), a => Equals(a.Get("properties.principalId"), ArmScope.DeployerObjectId));

        List<ArmResource> deployer = AllAssignments(withDeployer: true)
            .Where(a => Equals(a.Get("properties.principalId"), ArmScope.DeployerObjectId))
            .ToList();
        string containers = $"{T4.StorageAccount().Id}/blobServices/default/containers/";
        var expected = new HashSet<(string Scope, string Role)>
        {
            (containers + AppContract.ModelsContainer, Roles.StorageBlobDataContributor),
            (containers + AppContract.ImagesContainer, Roles.StorageBlobDataContributor),
            (containers + AppContract.CaptionsContainer, Roles.StorageBlobDataReader),
            (containers + AppContract.AnswersContainer, Roles.StorageBlobDataReader),
            (containers + AppContract.DeadLetterContainer, Roles.StorageBlobDataReader),
        };

        List<(string Scope, string Role)> granted = deployer.Select(a => (ScopeOf(a), RoleOf(a))).ToList();
        Assert.Equal(expected.Count, granted.Count);
        Assert.True(expected.SetEquals(granted), $"Granted: {string.Join(", ", granted)}.");
        Assert.All(deployer, a => Assert.Equal("User", a.Get("properties.principalType")));

        // Never the whole account: azure-webjobs-secrets holds the host's function keys.
        Assert.DoesNotContain(deployer, a => ScopeOf(a) == T4.StorageAccount().Id);
    }

    [Fact]
    public void Event_grid_dead_letters_with_its_own_identity_into_one_container()
    {
        ArmResource topic = T4.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("SystemAssigned", topic.Get("identity.type"));

        ArmResource assignment = Assert.Single(
            AllAssignments(withDeployer: false),
            a => ArmValue.Format(a.Get("properties.principalId")).StartsWith($"reference('{topic.Id}'", StringComparison.Ordinal));
        Assert.Equal(Roles.StorageBlobDataContributor, RoleOf(assignment));
        Assert.Equal($"{T4.StorageAccount().Id}/blobServices/default/containers/{AppContract.DeadLetterContainer}", ScopeOf(assignment));
        Assert.Equal(AppContract.DeadLetterContainer, T4.Outputs["EVENTGRID_DEADLETTER_CONTAINER"]);
    }

    private List<ArmResource> AllAssignments(bool withDeployer)
    {
        if (!withDeployer)
        {
            return T4.OfType("Microsoft.Authorization/roleAssignments").ToList();
        }

        Dictionary<string, object?> parameters = new(T4.Parameters, StringComparer.OrdinalIgnoreCase)
        {
            ["principalId"] = ArmScope.DeployerObjectId,
        };
        return ArmScope.Deploy(T4.Template, parameters, "westus3").AllResources()
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .ToList();
    }

    private IEnumerable<ArmResource> AppAssignments(string appPrincipal) =>
        T4.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => ArmValue.Format(a.Get("properties.principalId")) == appPrincipal);

    private static string ScopeOf(ArmResource assignment) => ArmValue.Format(assignment.Get("scope"));

    private static string RoleOf(ArmResource assignment)
    {
        string definition = ArmValue.Format(assignment.Get("properties.roleDefinitionId"));
        Assert.StartsWith($"/subscriptions/{ArmScope.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/", definition, StringComparison.Ordinal);
        return definition.Split('/')[^1];
    }
}
