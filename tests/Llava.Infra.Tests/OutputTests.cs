using System.Text.RegularExpressions;

namespace Llava.Infra.Tests;

[Collection(CompiledInfrastructureGroup.Name)]
public sealed partial class OutputTests(CompiledInfrastructure infrastructure)
{
    /// <summary>What azd reads after provisioning (registry to push to, where the service lives).</summary>
    private static readonly string[] s_azdOutputs =
    [
        "AZURE_LOCATION",
        "AZURE_TENANT_ID",
        "AZURE_RESOURCE_GROUP",
        "AZURE_CONTAINER_REGISTRY_ENDPOINT",
        "AZURE_CONTAINER_ENVIRONMENT_NAME",
        "SERVICE_LLAVA_NAME",
        "SERVICE_LLAVA_URI",
    ];

    [Fact]
    public void Outputs_azd_needs_are_present_and_point_at_the_deployed_resources()
    {
        CompiledDeployment deployment = infrastructure["t4"];
        Dictionary<string, object?> outputs = deployment.Outputs;

        Assert.All(s_azdOutputs, name => Assert.True(outputs.ContainsKey(name), $"Output '{name}' is missing."));
        Assert.Equal(deployment.Parameters["location"], outputs["AZURE_LOCATION"]);
        Assert.Equal("rg-llava-t4", outputs["AZURE_RESOURCE_GROUP"]);
        Assert.Equal(deployment.App().Name, outputs["SERVICE_LLAVA_NAME"]);
        Assert.Equal(deployment.Single("Microsoft.App/managedEnvironments").Name, outputs["AZURE_CONTAINER_ENVIRONMENT_NAME"]);
        Assert.Equal(
            $"reference('{deployment.Single("Microsoft.ContainerRegistry/registries").Id}').loginServer",
            Arm.ArmValue.Format(outputs["AZURE_CONTAINER_REGISTRY_ENDPOINT"]));
        Assert.StartsWith("https://", Arm.ArmValue.Format(outputs["SERVICE_LLAVA_URI"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("create-eventgrid-subscription.sh")]
    [InlineData("upload-model.sh")]
    public void Every_variable_a_script_requires_is_an_output(string script)
    {
        string text = File.ReadAllText(TestEnvironment.InRepository("scripts", script));
        Match declaration = RequiredVarsPattern().Match(text);
        Assert.True(declaration.Success, $"{script} declares no required_vars=(...).");
        string[] required = declaration.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.NotEmpty(required);
        Assert.All(required, name => Assert.True(infrastructure["t4"].Outputs.ContainsKey(name), $"{script} needs {name}, which main.bicep does not output."));
    }

    [Fact]
    public void Outputs_do_not_expose_secrets()
    {
        Assert.All(infrastructure["t4"].Template["outputs"]!.AsObject(), output =>
            Assert.DoesNotContain("secure", output.Value!["type"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"required_vars=\((?<names>[^)]*)\)")]
    private static partial Regex RequiredVarsPattern();
}
