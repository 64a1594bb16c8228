using Llava.Infra.Tests.Arm;

namespace Llava.Infra.Tests;

/// <summary>Shortcuts into a compiled deployment for the resources the tests look at most.</summary>
internal static class DeploymentExtensions
{
    public static ArmResource App(this CompiledDeployment deployment) => deployment.Single("Microsoft.App/containerApps");

    public static ArmResource StorageAccount(this CompiledDeployment deployment) => deployment.Single("Microsoft.Storage/storageAccounts");

    public static ArmResource Identity(this CompiledDeployment deployment) =>
        deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities");

    public static Dictionary<string, object?> AppContainer(this CompiledDeployment deployment)
    {
        var containers = (List<object?>)deployment.App().Get("properties.template.containers")!;
        return (Dictionary<string, object?>)containers[0]!;
    }

    /// <summary>The app's environment variables (its app settings) as name to evaluated entry.</summary>
    public static Dictionary<string, Dictionary<string, object?>> AppSettings(this CompiledDeployment deployment) =>
        ((List<object?>)deployment.AppContainer()["env"]!)
            .Cast<Dictionary<string, object?>>()
            .ToDictionary(entry => (string)entry["name"]!, StringComparer.Ordinal);

    public static object? AppSetting(this CompiledDeployment deployment, string name)
    {
        Dictionary<string, Dictionary<string, object?>> settings = deployment.AppSettings();
        Assert.True(settings.ContainsKey(name), $"The app has no setting '{name}'.");
        return settings[name].GetValueOrDefault("value");
    }
}
