using System.Text.Json.Nodes;
using Llava.Infra.Tests.Arm;

namespace Llava.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled by the Bicep CLI with each parameter file of infra/params, once for all tests,
/// and "deployed" in memory by <see cref="ArmScope"/>.
/// </summary>
public sealed class CompiledInfrastructure
{
    /// <summary>Parameter files under infra/params, one per GPU profile.</summary>
    public static readonly IReadOnlyDictionary<string, string> GpuProfiles = new Dictionary<string, string>
    {
        ["t4"] = "Consumption-GPU-NC8as-T4",
        ["a100"] = "Consumption-GPU-NC24-A100",
    };

    private readonly Dictionary<string, CompiledDeployment> _deployments = [];

    public CompiledInfrastructure()
    {
        foreach (string profile in GpuProfiles.Keys)
        {
            _deployments[profile] = CompiledDeployment.Build(profile);
        }
    }

    internal CompiledDeployment this[string profile] => _deployments[profile];
}

[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureGroup : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "Compiled infrastructure";
}

/// <summary>The compiled template of one parameter file and its in-memory deployment.</summary>
internal sealed class CompiledDeployment
{
    private CompiledDeployment(string templateText, JsonObject template, Dictionary<string, object?> parameters)
    {
        TemplateText = templateText;
        Template = template;
        Parameters = parameters;
        Root = ArmScope.Deploy(template, parameters, (string)parameters["location"]!);
    }

    /// <summary>The ARM JSON exactly as the Bicep CLI wrote it.</summary>
    public string TemplateText { get; }

    public JsonObject Template { get; }

    public Dictionary<string, object?> Parameters { get; }

    public ArmScope Root { get; }

    public IReadOnlyList<ArmResource> Resources => field ??= Root.AllResources().ToList();

    public Dictionary<string, object?> Outputs => field ??= Root.Outputs();

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        List<ArmResource> matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>The API key the parameter files read from LLAVA_API_KEY while the tests compile them.</summary>
    public const string TestApiKey = "test-api-key-0123456789abcdef0123456789abcdef";

    public static CompiledDeployment Build(string profile)
    {
        string parameterFile = TestEnvironment.InRepository("infra", "params", $"{profile}.bicepparam");
        ProcessResult result = ProcessRunner.Run(
            TestEnvironment.BicepPath,
            ["build-params", parameterFile, "--stdout"],
            environment: new Dictionary<string, string> { ["LLAVA_API_KEY"] = TestApiKey });
        if (result.ExitCode != 0 || result.StandardError.Trim().Length > 0)
        {
            throw new InvalidOperationException(
                $"bicep build-params {parameterFile} failed or reported diagnostics (exit {result.ExitCode}):\n{result.StandardError}");
        }

        JsonNode output = JsonNode.Parse(result.StandardOutput)!;
        string templateText = output["templateJson"]!.GetValue<string>();
        JsonObject template = JsonNode.Parse(templateText)!.AsObject();
        JsonObject parameterValues = JsonNode.Parse(output["parametersJson"]!.GetValue<string>())!["parameters"]!.AsObject();
        Dictionary<string, object?> parameters = ArmValue.NewObject();
        foreach ((string name, JsonNode? entry) in parameterValues)
        {
            parameters[name] = ArmValue.FromJson(entry!["value"]);
        }

        return new CompiledDeployment(templateText, template, parameters);
    }
}
