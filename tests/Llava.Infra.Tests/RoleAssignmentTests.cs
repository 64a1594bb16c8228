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
            (storage, Roles.StorageAccountContributor),
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
        foreach (ArmResource assignment in T4.OfType("Microsoft.Authorization/roleAssignments"))
        {
            string principal = ArmValue.Format(assignment.Get("properties.principalId"));
            string principalKey = principal.StartsWith("reference(", StringComparison.Ordinal) ? identity : principal;
            Assert.Equal(ArmScope.Guid([ScopeOf(assignment), principalKey, RoleOf(assignment)]), assignment.Name);
        }
    }

    [Fact]
    public void Nothing_is_granted_at_resource_group_or_subscription_scope()
    {
        Assert.All(T4.OfType("Microsoft.Authorization/roleAssignments"), a => Assert.Contains("/providers/", ScopeOf(a), StringComparison.Ordinal));
    }

    [Fact]
    public void The_deployer_gets_blob_data_contributor_only_when_a_principal_is_given()
    {
        Assert.DoesNotContain(T4.OfType("Microsoft.Authorization/roleAssignments"), a => RoleOf(a) == Roles.StorageBlobDataContributor);

        Dictionary<string, object?> parameters = new(T4.Parameters, StringComparer.OrdinalIgnoreCase)
        {
            ["principalId"] = ArmScope.DeployerObjectId,
        };
        List<ArmResource> assignments = ArmScope.Deploy(T4.Template, parameters, "westus3").AllResources()
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .Where(r => Equals(r.Get("properties.principalId"), ArmScope.DeployerObjectId))
            .ToList();

        ArmResource deployer = Assert.Single(assignments);
        Assert.Equal(Roles.StorageBlobDataContributor, RoleOf(deployer));
        Assert.Equal(T4.StorageAccount().Id, ScopeOf(deployer));
        Assert.Equal("User", deployer.Get("properties.principalType"));
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
