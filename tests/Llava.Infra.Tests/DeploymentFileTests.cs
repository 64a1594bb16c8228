using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Llava.Infra.Tests;

/// <summary>
/// Review checks of the files Docker and azd consume (neither can run here: no Docker engine, no Azure): the
/// image builds the CUDA flavour on pinned bases with pinned CUDA packages, runs unprivileged, and azure.yaml
/// wires the service and the hook.
/// </summary>
public sealed partial class DeploymentFileTests
{
    private static readonly string s_dockerfile = File.ReadAllText(TestEnvironment.InRepository("Dockerfile"));
    private static readonly string s_azureYaml = File.ReadAllText(TestEnvironment.InRepository("azure.yaml"));

    [Fact]
    public void Dockerfile_builds_the_cuda_flavour_for_linux_x64_only_on_pinned_official_images()
    {
        Assert.Matches(@"ARG SDK_IMAGE=mcr\.microsoft\.com/dotnet/sdk:10\.0\.\d+", s_dockerfile);
        Assert.Contains("ARG FUNCTIONS_IMAGE=mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", s_dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain(":latest", s_dockerfile, StringComparison.Ordinal);
        string publish = PublishCommand();
        Assert.Contains("-p:UseCuda=true", publish, StringComparison.Ordinal);
        // Without a runtime identifier the publish output carries every platform's native ONNX Runtime libraries.
        Assert.Matches(@"--runtime linux-x64\b", publish);
        Assert.Contains("--self-contained false", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_installs_exactly_the_pinned_cuda_13_1_cufft_and_cudnn_9_runtime_packages()
    {
        List<string> packages = AptPackagePattern().Matches(s_dockerfile).Select(m => m.Groups["package"].Value).ToList();

        Assert.Equal(["cuda-cudart-13-1", "libcublas-13-1", "libcurand-13-1", "libcufft-13-1", "libcudnn9-cuda-13"], packages);
        Assert.All(["CUDART_VERSION", "CUBLAS_VERSION", "CURAND_VERSION", "CUFFT_VERSION", "CUDNN_VERSION"], arg =>
            Assert.Matches($@"ARG {arg}=\d+(\.\d+)+-\d+", s_dockerfile));
        Assert.Matches(@"ARG CUDART_VERSION=13\.1\.", s_dockerfile);
        Assert.Contains("/usr/local/cuda-13.1/", s_dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("cuda-13.0", s_dockerfile, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"cuda-toolkit|cuda-libraries|-dev-|nvcc", s_dockerfile);
    }

    [Fact]
    public void Dockerfile_takes_the_nvidia_repository_of_the_base_images_own_os()
    {
        // No repository is hard-coded: /etc/os-release of the base image picks it, and an unknown OS fails the build.
        Assert.Contains(". /etc/os-release", s_dockerfile, StringComparison.Ordinal);
        Assert.Matches(@"ubuntu24\.04\) cuda_distro=ubuntu2404", s_dockerfile);
        Assert.Matches(@"debian12\) cuda_distro=debian12", s_dockerfile);
        Assert.Matches(@"\*\) echo [^\n]*>&2; exit 1", s_dockerfile);
        Assert.Contains("${CUDA_REPO_BASE}/${cuda_distro}/x86_64/", s_dockerfile, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"/repos/(debian|ubuntu)\d+/", s_dockerfile);
    }

    [Fact]
    public void Dockerfile_proves_at_build_time_that_both_cuda_libraries_resolve()
    {
        string check = s_dockerfile[s_dockerfile.IndexOf("Build-time proof", StringComparison.Ordinal)..];

        Assert.Matches(@"for name in libonnxruntime_providers_cuda\.so libonnxruntime-genai-cuda\.so; do", check);
        Assert.Contains("ldd \"$lib\"", check, StringComparison.Ordinal);
        Assert.All(
            ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcufft.so.12", "libcudnn.so.9"],
            lib => Assert.Contains(lib, check, StringComparison.Ordinal));
    }

    [Fact]
    public void Host_json_sends_host_and_worker_telemetry_as_one_open_telemetry_stream()
    {
        JsonNode host = JsonNode.Parse(File.ReadAllText(TestEnvironment.InRepository("src", "LlavaFunctions", "host.json")))!;

        Assert.Equal("OpenTelemetry", host["telemetryMode"]!.GetValue<string>());
    }

    [Fact]
    public void Dockerfile_runs_unprivileged_with_the_functions_host_settings()
    {
        Assert.Matches(@"(?m)^USER \$\{APP_UID\}\s*$", s_dockerfile);
        Assert.Matches(@"(?m)^ARG APP_UID=[1-9]\d*\s*$", s_dockerfile);
        Assert.Contains("AzureWebJobsScriptRoot=/home/site/wwwroot", s_dockerfile, StringComparison.Ordinal);
        Assert.Contains("AzureFunctionsJobHost__Logging__Console__IsEnabled=true", s_dockerfile, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", s_dockerfile, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?i)(password|secret|accountkey|token)\s*=", s_dockerfile);
    }

    [Fact]
    public void Dockerignore_sends_only_sources_and_build_settings()
    {
        string[] lines = File.ReadAllLines(TestEnvironment.InRepository(".dockerignore"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();

        Assert.Equal("*", lines[0]);
        Assert.Contains("!src/", lines);
        Assert.Contains("src/**/bin/", lines);
        Assert.Contains("src/**/obj/", lines);
    }

    [Fact]
    public void Azure_yaml_deploys_the_root_dockerfile_to_a_container_app_and_runs_the_hook()
    {
        Assert.Matches(@"(?m)^  llava:\s*$", s_azureYaml);
        Assert.Matches(@"(?m)^    host: containerapp\s*$", s_azureYaml);
        Assert.Matches(@"(?m)^      path: \./Dockerfile\s*$", s_azureYaml);
        Assert.Matches(@"(?m)^      run: \./scripts/create-eventgrid-subscription\.sh\s*$", s_azureYaml);
        Assert.True(File.Exists(TestEnvironment.InRepository("scripts", "create-eventgrid-subscription.sh")));
    }

    [Fact]
    public void Azd_parameters_file_maps_the_azd_environment()
    {
        string parameters = File.ReadAllText(TestEnvironment.InRepository("infra", "main.parameters.json"));

        Assert.Contains("\"${AZURE_ENV_NAME}\"", parameters, StringComparison.Ordinal);
        Assert.Contains("\"${AZURE_LOCATION}\"", parameters, StringComparison.Ordinal);
        Assert.Contains("\"${AZURE_PRINCIPAL_ID}\"", parameters, StringComparison.Ordinal);
        Assert.Contains("${GPU_PROFILE_TYPE=Consumption-GPU-NC8as-T4}", parameters, StringComparison.Ordinal);
        Assert.Contains("${SERVICE_LLAVA_IMAGE_NAME=}", parameters, StringComparison.Ordinal);
        // Who can wake the GPU has no default: azd asks, or the deployment stops.
        Assert.Contains("\"${LLAVA_ALLOWED_IP_RANGES}\"", parameters, StringComparison.Ordinal);
        // The API key is generated by azd (parameter metadata), never mapped from a plain environment variable.
        Assert.DoesNotContain("apiKey", parameters, StringComparison.Ordinal);
    }

    private static string PublishCommand()
    {
        int start = s_dockerfile.IndexOf("RUN dotnet publish", StringComparison.Ordinal);
        int end = s_dockerfile.IndexOf("\n\n", start, StringComparison.Ordinal);
        return s_dockerfile[start..end];
    }

    // "name=${VERSION}" entries of the apt-get install line.
    [GeneratedRegex("\"(?<package>[a-z0-9.+-]+)=\\$\\{[A-Z_]+_VERSION\\}\"")]
    private static partial Regex AptPackagePattern();
}
