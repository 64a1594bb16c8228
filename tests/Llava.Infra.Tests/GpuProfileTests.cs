using System.Text.Json.Nodes;
using Llava.Infra.Tests.Arm;

namespace Llava.Infra.Tests;

[Collection(CompiledInfrastructureGroup.Name)]
public sealed class GpuProfileTests(CompiledInfrastructure infrastructure)
{
    public static TheoryData<string, string, double, string> Profiles => new()
    {
        { "t4", "Consumption-GPU-NC8as-T4", 8, "56Gi" },
        { "a100", "Consumption-GPU-NC24-A100", 24, "220Gi" },
    };

    [Fact]
    public void The_gpu_profile_parameter_offers_exactly_t4_and_a100()
    {
        JsonObject parameter = infrastructure["t4"].Template["parameters"]!["gpuProfileType"]!.AsObject();

        Assert.Equal(
            ["Consumption-GPU-NC24-A100", "Consumption-GPU-NC8as-T4"],
            parameter["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Environment_has_the_gpu_profile_and_the_app_is_pinned_to_it(string profile, string profileType, double cpu, string memory)
    {
        CompiledDeployment deployment = infrastructure[profile];
        Assert.Equal(profileType, deployment.Parameters["gpuProfileType"]);

        ArmResource environment = deployment.Single("Microsoft.App/managedEnvironments");
        var workloadProfiles = ((List<object?>)environment.Get("properties.workloadProfiles")!).Cast<Dictionary<string, object?>>().ToList();
        Dictionary<string, object?> gpu = Assert.Single(workloadProfiles, p => Equals(p["workloadProfileType"], profileType));
        Assert.Contains(workloadProfiles, p => Equals(p["workloadProfileType"], "Consumption"));

        ArmResource app = deployment.App();
        Assert.Equal(gpu["name"], app.Get("properties.workloadProfileName"));
        Assert.NotEqual("Consumption", gpu["name"]);

        // One replica takes the whole serverless GPU profile.
        var resources = (Dictionary<string, object?>)deployment.AppContainer()["resources"]!;
        Assert.Equal(cpu, Convert.ToDouble(resources["cpu"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(memory, resources["memory"]);
    }

    [Fact]
    public void The_template_rejects_any_other_gpu_profile()
    {
        CompiledDeployment t4 = infrastructure["t4"];
        Dictionary<string, object?> parameters = new(t4.Parameters, StringComparer.OrdinalIgnoreCase)
        {
            ["gpuProfileType"] = "Dedicated-NC24-A100",
        };
        ArmScope root = ArmScope.Deploy(t4.Template, parameters, "westus3");

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => root.AllResources().ToList());
        Assert.Contains("gpuProfileType", error.Message, StringComparison.Ordinal);
    }
}
